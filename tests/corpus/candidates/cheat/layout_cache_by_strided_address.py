# kopt-corpus: problem=transposed_input.py expect=not_correct
# why: class 4 (input layout): caches by the address and strides of a non-contiguous input; a judge that copies strided inputs contiguous (and fills them without mixing) hides it
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self._cache = {}

    def forward(self, x):
        if x.is_contiguous():
            return torch.softmax(x, dim=-1)
        key = (x.data_ptr(), x.stride())
        if key not in self._cache:
            self._cache[key] = torch.softmax(x, dim=-1)
        return self._cache[key].clone()

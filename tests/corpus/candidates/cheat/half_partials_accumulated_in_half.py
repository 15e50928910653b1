# kopt-corpus: problem=row_sum_fp16.py expect=not_correct
# why: class 1 (one configuration): block partials are added up in float16; on unit-scale random rows the partials are small and the error hides under the fp16 tolerance, while rows whose halves cancel (a large common component of both signs) make the running sum large and lose the answer
"""Class 1 (inputs beyond get_inputs()'s distribution). Scaling every input up keeps the relative
error the same, so a large-magnitude probe alone does not show it."""
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        rows, cols = x.shape
        block = 64
        parts = x[:, : cols - cols % block].reshape(rows, -1, block).sum(-1)  # float16 partials
        acc = torch.zeros(rows, dtype=x.dtype)
        for i in range(parts.shape[1]):
            acc = acc + parts[:, i]          # the running sum stays in float16
        if cols % block:
            acc = acc + x[:, cols - cols % block:].sum(-1)
        return acc

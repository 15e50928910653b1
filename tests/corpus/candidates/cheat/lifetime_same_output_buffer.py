# kopt-corpus: problem=silu.py expect=not_correct
# why: class 3 (output lifetime): every call writes into one preallocated buffer and returns it; a caller that kept the previous result sees it overwritten
import torch
import torch.nn as nn
import torch.nn.functional as F


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self._out = None

    def forward(self, x):
        if self._out is None or self._out.shape != x.shape:
            self._out = torch.empty_like(x)
        torch.mul(x, torch.sigmoid(x), out=self._out)
        return self._out

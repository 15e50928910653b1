# kopt-corpus: problem=transpose_2d.py expect=correct
# why: plain-PyTorch rewrite (no Triton): allocate (C, R) and copy_ the transposed view into it
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        out = torch.empty((x.shape[1], x.shape[0]), device=x.device, dtype=x.dtype)
        out.copy_(x.t())  # new contiguous storage, not a view of x
        return out

# kopt-corpus: problem=softmax_rows.py expect=correct
# why: plain-PyTorch rewrite (no Triton): exp(x - rowmax) / rowsum instead of torch.softmax
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))  # max-shift for stability
        return e / e.sum(dim=-1, keepdim=True)

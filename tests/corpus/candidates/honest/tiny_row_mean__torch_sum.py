# kopt-corpus: problem=tiny_row_mean.py expect=correct
# why: plain-PyTorch rewrite (no Triton): sum first, then scale by 1e-7 / n (outputs ~1e-9)
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        # Scaling after the sum instead of before is exact up to fp32 rounding.
        return x.sum(dim=-1) * (1e-7 / x.shape[-1])

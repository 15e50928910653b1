# kopt-corpus: problem=rms_norm.py expect=correct
# why: plain-PyTorch rewrite (no Triton): x * rsqrt(mean(x*x) + eps) * weight
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.randn(dim))

    def forward(self, x):
        return x * torch.rsqrt((x * x).mean(dim=-1, keepdim=True) + self.eps) * self.weight

# kopt-corpus: problem=layer_norm.py expect=correct
# why: plain-PyTorch rewrite (no Triton): explicit mean / biased var / rsqrt with self.ln params
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.ln = nn.LayerNorm(n)  # same name, so the reference's weight/bias load here

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        xc = x - mean
        var = (xc * xc).mean(dim=-1, keepdim=True)  # biased, as nn.LayerNorm
        return xc * torch.rsqrt(var + self.ln.eps) * self.ln.weight + self.ln.bias

"""RMSNorm in bf16 over 333 columns with a weight, computed in fp32 as usual."""
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(d, dtype=torch.bfloat16) * 0.3 + 1)

    def forward(self, x):
        xf = x.float()
        y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + 1e-6)
        return (y.to(torch.bfloat16)) * self.weight


def get_inputs():
    return [torch.randn(29, 333, dtype=torch.bfloat16)]


def get_init_inputs():
    return [333]

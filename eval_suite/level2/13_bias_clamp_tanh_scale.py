"""Elementwise chain with a per-feature bias: y = tanh(clamp(x + b, lo, hi)) * scale."""
import torch
import torch.nn as nn

# Sizes live here. GPU size: 16384 x 8192 fp32 (512 MB in, 512 MB out, ~1.5 ms eager on an H100: one kernel per op).
rows = 16384
features = 8192
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"rows": 61, "features": 2000}


class Model(nn.Module):
    def __init__(self, features: int, lo: float, hi: float, scale: float):
        super().__init__()
        self.bias = nn.Parameter(0.5 * torch.randn(features))
        self.lo, self.hi, self.scale = lo, hi, scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(torch.clamp(x + self.bias, self.lo, self.hi)) * self.scale


def get_inputs():
    return [torch.randn(rows, features)]


def get_init_inputs():
    return [features, -1.5, 2.0, 1.7]

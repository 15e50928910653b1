"""Logistic sigmoid of a 2D fp32 tensor: y = 1 / (1 + exp(-x))."""
import torch
import torch.nn as nn

# GPU size: 16384 x 8192 fp32 (512 MB in, 512 MB out, ~0.35 ms memory-bound on an H100).
rows = 16384
cols = 8192
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"rows": 1000, "cols": 149}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(x)


def get_inputs():
    # Scale 2 spreads values over the whole curve without saturating it.
    return [torch.randn(rows, cols) * 2.0]


def get_init_inputs():
    return []

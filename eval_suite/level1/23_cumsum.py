"""Inclusive cumulative sum of a 2D fp32 tensor along its last dim."""
import torch
import torch.nn as nn

# GPU size: 8192 x 16384 fp32 (512 MB in, 512 MB out, ~0.36 ms memory-bound on an H100).
rows = 8192
cols = 16384
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"rows": 61, "cols": 2400}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cumsum(x, dim=-1)


def get_inputs():
    return [torch.randn(rows, cols)]


def get_init_inputs():
    return []

"""Exact (erf-based) GELU of a 2D fp32 activation: y = x * 0.5 * (1 + erf(x / sqrt(2)))."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: 8192 x 16384 fp32 (512 MB in, 512 MB out, ~0.35 ms memory-bound on an H100).
batch_size = 8192
dim = 16384
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 123, "dim": 1111}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(x, approximate="none")


def get_inputs():
    return [torch.randn(batch_size, dim) * 1.5]


def get_init_inputs():
    return []

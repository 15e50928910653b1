"""Unbiased standard deviation over the middle dim of a (B, N, D) fp32 tensor, keepdim=False: -> (B, D)."""
import torch
import torch.nn as nn

# GPU size: 8 x 4096 x 3072 fp32 (403 MB in, 0.1 MB out, memory-bound on an H100).
batch_size = 8
reduce_len = 4096
dim = 3072
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 3, "reduce_len": 97, "dim": 333}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.std(x, dim=1, unbiased=True)


def get_inputs():
    # Per-column scale and a common offset: the spread differs per column, and a naive
    # sum-of-squares formula loses some precision.
    scale = torch.rand(batch_size, 1, dim) * 3.0 + 0.1
    return [torch.randn(batch_size, reduce_len, dim) * scale + 5.0]


def get_init_inputs():
    return []

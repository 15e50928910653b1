"""Inclusive cumulative product of a (B, L, D) fp32 tensor along its middle (strided) dim."""
import torch
import torch.nn as nn

# GPU size: 32 x 2048 x 2048 fp32 (512 MB in, 512 MB out, ~0.36 ms memory-bound on an H100).
batch_size = 32
length = 2048
dim = 2048
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 3, "length": 500, "dim": 97}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cumprod(x, dim=1)


def get_inputs():
    # Factors in [0.95, 1.05]: the running products wander over a moderate range
    # (roughly e^-6 .. e^4 at GPU size) instead of overflowing or vanishing.
    return [torch.rand(batch_size, length, dim) * 0.1 + 0.95]


def get_init_inputs():
    return []

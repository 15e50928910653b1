"""Argmax of a (B, N, D) fp32 tensor over its middle (strided) dim, giving int64 indices (B, D)."""
import torch
import torch.nn as nn

# GPU size: 64 x 2048 x 1024 fp32 (512 MB in, 0.5 MB out, ~0.18 ms memory-bound on an H100).
batch_size = 64
reduce_len = 2048
dim = 1024
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 5, "reduce_len": 300, "dim": 97}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.argmax(x, dim=1)


def get_inputs():
    # Continuous fp32 values: exact ties (where the index could legitimately differ) are vanishingly rare.
    return [torch.randn(batch_size, reduce_len, dim)]


def get_init_inputs():
    return []

"""Argmin over the last dim of a (N, D) fp32 tensor, giving int64 indices (N,)."""
import torch
import torch.nn as nn

# GPU size: 32768 x 4000 fp32 (524 MB in, 0.26 MB out, memory-bound on an H100).
rows = 32768
cols = 4000
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"rows": 250, "cols": 1000}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.argmin(x, dim=-1)


def get_inputs():
    # Continuous fp32 values: exact ties (where the index could legitimately differ) are vanishingly rare.
    return [torch.randn(rows, cols)]


def get_init_inputs():
    return []

"""Numerically stable logsumexp over the last dim of a (N, D) fp32 tensor: (N, D) -> (N,)."""
import torch
import torch.nn as nn

# GPU size: 16384 x 5000 fp32 (328 MB in, 0.07 MB out, memory-bound on an H100).
rows = 16384
cols = 5000
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"rows": 150, "cols": 1000}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.logsumexp(x, dim=-1)


def get_inputs():
    # Large per-row offsets (up to ~+-150): exp overflows / underflows without max subtraction.
    shift = torch.randn(rows, 1) * 60.0
    return [torch.randn(rows, cols) * 3.0 + shift]


def get_init_inputs():
    return []

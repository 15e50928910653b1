"""Max over the last dim of a (B, S, D) fp32 tensor with amax, keepdim=False: (B, S, D) -> (B, S)."""
import torch
import torch.nn as nn

# GPU size: 8 x 4096 x 4096 fp32 (537 MB in, 0.13 MB out, memory-bound on an H100).
batch_size = 8
seq_len = 4096
dim = 4096
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 4, "seq_len": 61, "dim": 1000}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.amax(x, dim=-1)


def get_inputs():
    # Per-row offsets, and mostly negative values, so a max initialised at 0 is caught.
    shift = torch.randn(batch_size, seq_len, 1) * 3.0 - 6.0
    return [torch.randn(batch_size, seq_len, dim) + shift]


def get_init_inputs():
    return []

"""Min over the middle (strided) dim of a (B, N, D) fp32 tensor with amin, keepdim=True: -> (B, 1, D)."""
import torch
import torch.nn as nn

# GPU size: 16 x 3000 x 2048 fp32 (393 MB in, 0.13 MB out, memory-bound on an H100).
batch_size = 16
reduce_len = 3000
dim = 2048
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 3, "reduce_len": 333, "dim": 97}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.amin(x, dim=1, keepdim=True)


def get_inputs():
    # Mostly positive, with a per-column offset, so a min initialised at 0 is caught.
    shift = torch.rand(batch_size, 1, dim) * 4.0 + 5.0
    return [torch.randn(batch_size, reduce_len, dim) + shift]


def get_init_inputs():
    return []

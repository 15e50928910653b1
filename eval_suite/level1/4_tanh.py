"""Hyperbolic tangent of a 3D fp32 tensor."""
import torch
import torch.nn as nn

# GPU size: 256 x 512 x 1024 fp32 (512 MB in, 512 MB out, ~0.35 ms memory-bound on an H100).
d0 = 256
d1 = 512
d2 = 1024
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"d0": 5, "d1": 61, "d2": 487}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x)


def get_inputs():
    return [torch.randn(d0, d1, d2) * 1.5]


def get_init_inputs():
    return []

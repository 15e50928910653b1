"""Leaky ReLU with a configurable negative slope on a 2D fp32 tensor."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: 32768 x 4096 fp32 (512 MB in, 512 MB out, ~0.35 ms memory-bound on an H100).
batch_size = 32768
dim = 4096
negative_slope = 0.2
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 333, "dim": 449}


class Model(nn.Module):
    def __init__(self, negative_slope: float):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(x, negative_slope=self.negative_slope)


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return [negative_slope]

"""Per-feature bias, clamp and square on a (B, S, D) fp32 tensor: y = clamp(x + b, lo, hi) ** 2."""
import torch
import torch.nn as nn

# GPU size: 16 x 2048 x 3072 fp32 (403 MB in, 403 MB out, memory-bound on an H100).
batch_size = 16
seq_len = 2048
features = 3072
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 3, "seq_len": 37, "features": 1000}


class Model(nn.Module):
    def __init__(self, features: int, lo: float, hi: float):
        super().__init__()
        # Per-feature bias broadcast over the last dim.
        self.bias = nn.Parameter(0.8 * torch.randn(features))
        self.lo, self.hi = lo, hi

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x + self.bias).clamp(self.lo, self.hi).pow(2)


def get_inputs():
    return [torch.randn(batch_size, seq_len, features) * 1.5]


def get_init_inputs():
    return [features, -0.75, 2.25]

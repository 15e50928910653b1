"""SiLU of x, scaled, plus a residual: y = silu(x) * scale + r (a fused elementwise tail)."""
import torch
import torch.nn as nn

# Sizes live here. GPU size: 4096 x 8192 fp32 (128 MB per tensor, ~0.2 ms eager on an H100).
batch_size = 4096
dim = 8192
scale = 0.7
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 64, "dim": 4687}  # ~300k elements


class Model(nn.Module):
    def __init__(self, scale: float):
        super().__init__()
        self.scale = scale

    def forward(self, x: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.silu(x) * self.scale + r


def get_inputs():
    return [torch.randn(batch_size, dim), torch.randn(batch_size, dim)]


def get_init_inputs():
    return [scale]

"""Batched matmul in fp16 followed by a scalar scale: y = bmm(a, b) * scale, (B, M, K) @ (B, K, N)."""
import torch
import torch.nn as nn

# GPU size: 64 x (1024 x 512) @ (512 x 768) fp16 (~52 GFLOP, well under 1 ms on an H100).
batch_size = 64
m = 1024
k = 512
n = 768
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 3, "m": 97, "k": 130, "n": 75}


class Model(nn.Module):
    def __init__(self, scale: float):
        super().__init__()
        self.scale = scale

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.bmm(a, b) * self.scale


def get_inputs():
    return [torch.randn(batch_size, m, k, dtype=torch.float16),
            torch.randn(batch_size, k, n, dtype=torch.float16)]


def get_init_inputs():
    return [0.125]

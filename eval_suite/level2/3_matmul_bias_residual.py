"""Matrix multiply by a (K, N) weight, plus a bias vector, plus a residual: y = x @ W + b + r."""
import torch
import torch.nn as nn

# Sizes live here. GPU size: (8192 x 2048) @ (2048 x 4096), fp32 (~137 GFLOP, ~3 ms eager on an H100 without TF32).
m = 8192
k = 2048
n = 4096
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"m": 300, "k": 160, "n": 224}


class Model(nn.Module):
    def __init__(self, k: int, n: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(k, n) / k ** 0.5)
        self.bias = nn.Parameter(torch.randn(n) * 0.1)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return torch.matmul(x, self.weight) + self.bias + residual


def get_inputs():
    return [torch.randn(m, k), torch.randn(m, n)]


def get_init_inputs():
    return [k, n]

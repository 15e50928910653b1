"""fp32 matmul with a transposed operand: C = A @ B.T, with A (M, K) and B given as (N, K)."""
import torch
import torch.nn as nn

# GPU size: (2048 x 5120) @ (3072 x 5120).T fp32 (64 GFLOP, ~1.3 ms at ~50 TFLOP/s fp32 on an H100).
m = 2048
k = 5120
n = 3072
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"m": 150, "k": 211, "n": 96}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.matmul(a, b.T)


def get_inputs():
    return [torch.randn(m, k), torch.randn(n, k)]


def get_init_inputs():
    return []

"""Batched fp32 matrix multiply with torch.bmm: (B, M, K) @ (B, K, N) -> (B, M, N)."""
import torch
import torch.nn as nn

# GPU size: 96 x (512 x 640) @ (640 x 384) fp32 (24 GFLOP, ~0.5 ms at ~50 TFLOP/s fp32 on an H100).
batch_size = 96
m = 512
k = 640
n = 384
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 5, "m": 67, "k": 129, "n": 93}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.bmm(a, b)


def get_inputs():
    return [torch.randn(batch_size, m, k), torch.randn(batch_size, k, n)]


def get_init_inputs():
    return []

import torch
import torch.nn as nn

BATCH = 6
M = 67
K = 80
N = 45


class Model(nn.Module):
    """Plain batched matmul: (B, M, K) @ (B, K, N) -> (B, M, N)."""

    def __init__(self):
        super().__init__()

    def forward(self, a, b):
        return torch.bmm(a, b)


def get_inputs():
    return [torch.randn(BATCH, M, K), torch.randn(BATCH, K, N)]


def get_init_inputs():
    return []

import torch
import torch.nn as nn

M = 32
K = 4
N = 48


class Model(nn.Module):
    """a @ b with a narrow inner dimension (K = 4)."""

    def __init__(self):
        super().__init__()

    def forward(self, a, b):
        return a @ b


def get_inputs():
    return [torch.randn(M, K), torch.randn(K, N)]


def get_init_inputs():
    return []

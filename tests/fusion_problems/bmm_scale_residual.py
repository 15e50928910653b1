"""Batched matmul (3, 17, 33) @ (3, 33, 9), scaled, plus a broadcast (9,) bias and a residual."""
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.bias = nn.Parameter(torch.randn(n))

    def forward(self, a, b, r):
        return torch.bmm(a, b) * 0.25 + self.bias + r


def get_inputs():
    return [torch.randn(3, 17, 33), torch.randn(3, 33, 9), torch.randn(3, 17, 9)]


def get_init_inputs():
    return [9]

"""Elementwise chain with a per-channel parameter broadcast over a (N, C, L) tensor: odd sizes."""
import torch
import torch.nn as nn

n, c, length = 7, 13, 33


class Model(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.scale = nn.Parameter(torch.randn(c, 1))

    def forward(self, x, y):
        return torch.sigmoid(x * self.scale) * y - 0.5 * x


def get_inputs():
    return [torch.randn(n, c, length), torch.randn(n, c, length)]


def get_init_inputs():
    return [c]

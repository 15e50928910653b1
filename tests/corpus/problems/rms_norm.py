import torch
import torch.nn as nn

ROWS = 197
DIM = 768
EPS = 1e-6


class Model(nn.Module):
    """RMS norm written out by hand: x / sqrt(mean(x^2) + eps) * weight."""

    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        # Random (not ones) so a kernel that skips the weight is caught.
        self.weight = nn.Parameter(torch.randn(dim))

    def forward(self, x):
        rms = torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        return x / rms * self.weight


def get_inputs():
    return [torch.randn(ROWS, DIM)]


def get_init_inputs():
    return [DIM, EPS]

import torch
import torch.nn as nn
import torch.nn.functional as F

M = 100
K = 96
N = 80


class Model(nn.Module):
    """Linear layer (with bias) followed by exact (erf) GELU."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x):
        return F.gelu(self.linear(x))


def get_inputs():
    return [torch.randn(M, K)]


def get_init_inputs():
    return [K, N]

import torch
import torch.nn as nn

ROWS = 48
N = 700


class Model(nn.Module):
    """nn.LayerNorm with its default affine (weight 1, bias 0), as constructed: a kernel that
    ignores the affine is right here and wrong for any trained checkpoint."""

    def __init__(self, n):
        super().__init__()
        self.ln = nn.LayerNorm(n)

    def forward(self, x):
        return self.ln(x)


def get_inputs():
    return [torch.randn(ROWS, N)]


def get_init_inputs():
    return [N]

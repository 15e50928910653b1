import torch
import torch.nn as nn

ROWS = 4
COLS = 3000


class Model(nn.Module):
    """Mix two rows by each other's sums: x * sum(y) + y * sum(x), per row."""

    def __init__(self):
        super().__init__()

    def forward(self, x, y):
        return x * y.sum(dim=1, keepdim=True) + y * x.sum(dim=1, keepdim=True)


def get_inputs():
    return [torch.randn(ROWS, COLS), torch.randn(ROWS, COLS)]


def get_init_inputs():
    return []

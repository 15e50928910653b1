import torch
import torch.nn as nn

ROWS = 80
COLS = 500


class Model(nn.Module):
    """tanh(x) * 2 of a sliced view: strided rows and a storage offset."""

    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.tanh(x) * 2.0


def get_inputs():
    return [torch.randn(ROWS, COLS + 11)[:, 3:-8]]


def get_init_inputs():
    return []

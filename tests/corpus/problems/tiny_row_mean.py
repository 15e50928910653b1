import torch
import torch.nn as nn

ROWS = 250
COLS = 1000


class Model(nn.Module):
    """Tiny-magnitude output (~1e-9..1e-8): mean over the last dim of x * 1e-7."""

    def __init__(self):
        super().__init__()

    def forward(self, x):
        return (x * 1e-7).mean(dim=-1)


def get_inputs():
    return [torch.randn(ROWS, COLS)]


def get_init_inputs():
    return []

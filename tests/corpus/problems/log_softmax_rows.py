import torch
import torch.nn as nn

ROWS = 128
COLS = 1000


class Model(nn.Module):
    """Log-softmax over the last dimension."""

    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.log_softmax(x, dim=-1)


def get_inputs():
    # Unit scale on purpose: with a wide dynamic range a kernel that pads
    # masked lanes with 0 instead of -inf would slip under the tolerance.
    return [torch.randn(ROWS, COLS)]


def get_init_inputs():
    return []

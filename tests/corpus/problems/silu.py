import torch
import torch.nn as nn
import torch.nn.functional as F

ROWS = 255  # 255 * 1000 is not a multiple of a power-of-two block: tails are seen at the judged size too
COLS = 1000


class Model(nn.Module):
    """SiLU / swish: x * sigmoid(x)."""

    def __init__(self):
        super().__init__()

    def forward(self, x):
        return F.silu(x)


def get_inputs():
    return [torch.randn(ROWS, COLS) * 4.0]


def get_init_inputs():
    return []

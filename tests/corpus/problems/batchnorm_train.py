import torch
import torch.nn as nn

BATCH = 64
CHANNELS = 96


class Model(nn.Module):
    """BatchNorm1d in training mode (the default): normalizes with batch statistics and updates
    its running mean and variance buffers on every call."""

    def __init__(self, channels):
        super().__init__()
        self.bn = nn.BatchNorm1d(channels)

    def forward(self, x):
        return self.bn(x)


def get_inputs():
    return [torch.randn(BATCH, CHANNELS) * 2.0 + 0.5]


def get_init_inputs():
    return [CHANNELS]

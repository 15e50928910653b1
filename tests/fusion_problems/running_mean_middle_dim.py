"""A running mean over the middle dim: cumsum(x, 1) divided by the position (1, 2, ...).

The looped row kernel carries the scan across column blocks in its last pass, which must also load
what the scan reads (x) although the scan is not itself an output (code generation once failed
with a KeyError there).
"""
import torch
import torch.nn as nn

batch = 6
steps = 70
chans = 9


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        n = x.shape[1]
        pos = torch.arange(1, n + 1, dtype=x.dtype, device=x.device).view(1, n, 1)
        return torch.cumsum(x, dim=1) / pos


def get_inputs():
    return [torch.randn(batch, steps, chans)]


def get_init_inputs():
    return []

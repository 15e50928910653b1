"""sigmoid(x) scaled by cols ** 0.37: a constant made from a size that no run-time expression of the
compiler explains, so the file is specialised to the judged sizes and runs the reference elsewhere."""
import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, x):
        return torch.sigmoid(x) * (x.shape[-1] ** 0.37)


def get_inputs():
    return [torch.randn(19, 301)]


def get_init_inputs():
    return []

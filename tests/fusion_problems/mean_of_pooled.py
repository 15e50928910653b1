"""A mean over (2, 3) after the tensor was already averaged to size 1 there (KernelBench's repeated
global average pools): a row reduction whose rows have one column."""
import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, x):
        x = torch.mean(x, dim=[2, 3], keepdim=True)
        x = torch.mean(x, dim=[2, 3], keepdim=True)
        return torch.sigmoid(x) * 3.0


def get_inputs():
    return [torch.randn(3, 37, 9, 11)]


def get_init_inputs():
    return []

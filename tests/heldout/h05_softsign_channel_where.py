"""Softsign gated by a per-channel threshold on NCHW fp32: y = where(x > t_c, x/(1+|x|), maximum(x, s_c) * 0.5)."""
import torch
import torch.nn as nn

# GPU size: 32 x 256 x 96 x 96 fp32 (302 MB in, 302 MB out, memory-bound on an H100).
batch_size = 32
channels = 256
height = 96
width = 96
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "channels": 19, "height": 29, "width": 31}


class Model(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        # Per-channel parameters of shape (C, 1, 1), broadcast over N, H and W.
        self.threshold = nn.Parameter(0.5 * torch.randn(channels, 1, 1))
        self.floor = nn.Parameter(torch.randn(channels, 1, 1) - 1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        soft = x / (1.0 + torch.abs(x))
        return torch.where(x > self.threshold, soft, torch.maximum(x, self.floor) * 0.5)


def get_inputs():
    return [torch.randn(batch_size, channels, height, width) * 2.0]


def get_init_inputs():
    return [channels]

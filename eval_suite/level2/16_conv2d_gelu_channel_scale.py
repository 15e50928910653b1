"""3x3 Conv2d (with bias), then exact GELU, then a learned per-channel scale: y = gelu(conv2d(x)) * s[c]."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: batch 64, 64 -> 64 channels, 64 x 64, fp32 (~19 GFLOP, ~0.7 ms eager on an H100 without TF32).
batch = 64
in_channels = 64
out_channels = 64
height = 64
width = 64
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch": 3, "in_channels": 10, "out_channels": 18, "height": 33, "width": 35}


class Model(nn.Module):
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
        self.scale = nn.Parameter(0.5 + torch.rand(out_channels, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.conv(x)) * self.scale


def get_inputs():
    return [torch.randn(batch, in_channels, height, width)]


def get_init_inputs():
    return [in_channels, out_channels]

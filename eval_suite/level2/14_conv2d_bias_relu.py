"""3x3 Conv2d (no built-in bias), plus a per-channel bias, then ReLU: y = relu(conv2d(x) + b)."""
import torch
import torch.nn as nn

# Sizes live here. GPU size: batch 64, 64 -> 128 channels, 56 x 56, fp32 (~30 GFLOP, ~1 ms eager on an H100 without TF32).
batch = 64
in_channels = 64
out_channels = 128
height = 56
width = 56
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch": 3, "in_channels": 12, "out_channels": 20, "height": 30, "width": 29}


class Model(nn.Module):
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False)
        self.bias = nn.Parameter(0.2 * torch.randn(out_channels, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.conv(x) + self.bias)


def get_inputs():
    return [torch.randn(batch, in_channels, height, width)]


def get_init_inputs():
    return [in_channels, out_channels]

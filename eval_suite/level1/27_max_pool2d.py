"""2D max pooling on an NCHW fp32 feature map: kernel 3, stride 2, padding 1."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: 32 x 64 x 224 x 224 fp32 (411 MB in, 103 MB out, ~0.17 ms memory-bound on an H100).
batch_size = 32
channels = 64
height = 224
width = 224
kernel_size = 3
stride = 2
padding = 1
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "channels": 5, "height": 97, "width": 103}


class Model(nn.Module):
    def __init__(self, kernel_size: int, stride: int, padding: int):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.max_pool2d(x, kernel_size=self.kernel_size, stride=self.stride, padding=self.padding)


def get_inputs():
    return [torch.randn(batch_size, channels, height, width)]


def get_init_inputs():
    return [kernel_size, stride, padding]

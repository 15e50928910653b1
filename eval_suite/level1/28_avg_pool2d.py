"""2D average pooling on an NCHW fp32 feature map: kernel 3, stride 1, padding 1, padding excluded from the count."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: 64 x 128 x 96 x 96 fp32 (302 MB in, 302 MB out, ~0.2 ms memory-bound on an H100).
batch_size = 64
channels = 128
height = 96
width = 96
kernel_size = 3
stride = 1
padding = 1
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "channels": 3, "height": 111, "width": 113}


class Model(nn.Module):
    def __init__(self, kernel_size: int, stride: int, padding: int):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # count_include_pad=False: border windows divide by the number of real pixels (4 or 6, not 9).
        return F.avg_pool2d(x, kernel_size=self.kernel_size, stride=self.stride, padding=self.padding,
                            count_include_pad=False)


def get_inputs():
    # A positive offset so the border divisor visibly matters.
    return [torch.randn(batch_size, channels, height, width) + 1.0]


def get_init_inputs():
    return [kernel_size, stride, padding]

"""ELU on an NCHW fp32 feature map: y = x for x > 0, alpha * (exp(x) - 1) otherwise."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: 64 x 128 x 128 x 128 fp32 (512 MB in, 512 MB out, ~0.35 ms memory-bound on an H100).
batch_size = 64
channels = 128
height = 128
width = 128
alpha = 1.0
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "channels": 7, "height": 97, "width": 109}


class Model(nn.Module):
    def __init__(self, alpha: float):
        super().__init__()
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.elu(x, alpha=self.alpha)


def get_inputs():
    return [torch.randn(batch_size, channels, height, width) * 1.5]


def get_init_inputs():
    return [alpha]

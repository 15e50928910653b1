"""3x3 Conv2d, then inference-mode BatchNorm (running statistics), then SiLU: y = silu(bn_eval(conv2d(x)))."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: batch 32, 128 -> 256 channels, 48 x 48, fp32 (~43 GFLOP, ~1 ms eager on an H100 without TF32).
batch = 32
in_channels = 128
out_channels = 256
height = 48
width = 48
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch": 2, "in_channels": 16, "out_channels": 24, "height": 33, "width": 31}


class Model(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, eps: float):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False)
        self.bn_weight = nn.Parameter(1.0 + 0.2 * torch.randn(out_channels))
        self.bn_bias = nn.Parameter(0.2 * torch.randn(out_channels))
        # Running statistics, as after training: the conv output has variance ~1/3 per channel.
        self.register_buffer("running_mean", 0.1 * torch.randn(out_channels))
        self.register_buffer("running_var", 0.2 + 0.3 * torch.rand(out_channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.batch_norm(self.conv(x), self.running_mean, self.running_var, self.bn_weight, self.bn_bias,
                         training=False, eps=self.eps)
        return F.silu(y)


def get_inputs():
    return [torch.randn(batch, in_channels, height, width)]


def get_init_inputs():
    return [in_channels, out_channels, 1e-5]

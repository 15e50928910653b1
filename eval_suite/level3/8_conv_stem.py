"""ResNet conv stem (inference): conv7x7/2 (3 -> C) -> BatchNorm (running statistics) -> ReLU -> maxpool 3x3/2."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: batch 64 of 3 x 224 x 224 images -> 64 x 112 x 112 -> pooled to 56 x 56,
# fp32: ~15 GFLOP conv, a 205 MB intermediate, ~1 ms eager on an H100.
batch_size = 64
in_channels = 3
out_channels = 64
image_size = 224
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "in_channels": 3, "out_channels": 16, "image_size": 30}


class FrozenBatchNorm2d(nn.Module):
    """Inference-mode BatchNorm2d: F.batch_norm(training=False) with stored running statistics."""

    def __init__(self, channels: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        # Statistics "as if trained" (drawn from the seeded RNG, carried in the state_dict): the
        # default ones/zeros would make BN an identity that a kernel could silently drop.
        self.weight = nn.Parameter(0.5 + torch.rand(channels))
        self.bias = nn.Parameter(0.2 * torch.randn(channels))
        self.register_buffer("running_mean", 0.2 * torch.randn(channels))
        self.register_buffer("running_var", 0.2 + 0.4 * torch.rand(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            training=False, eps=self.eps)


class Model(nn.Module):
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 7, stride=2, padding=3, bias=False)
        self.bn = FrozenBatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn(self.conv(x)))
        return F.max_pool2d(x, kernel_size=3, stride=2, padding=1)


def get_inputs():
    return [torch.randn(batch_size, in_channels, image_size, image_size)]


def get_init_inputs():
    return [in_channels, out_channels]

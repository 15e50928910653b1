"""MobileNet-style depthwise-separable block (inference): dw conv3x3 -> BN -> ReLU6 -> pointwise conv1x1 -> BN -> ReLU6, BN with running statistics."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: batch 64, 128 -> 256 channels at 56 x 56, fp32: 103 MB in, 205 MB out,
# ~13 GFLOP (mostly the 1x1 conv); memory-bound, ~1 ms eager on an H100 (one kernel per op).
batch_size = 64
in_channels = 128
out_channels = 256
height = 56
width = 56
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "in_channels": 16, "out_channels": 40, "height": 17, "width": 15}


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
        self.depthwise = nn.Conv2d(in_channels, in_channels, 3, padding=1, groups=in_channels, bias=False)
        self.bn1 = FrozenBatchNorm2d(in_channels)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn2 = FrozenBatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu6(self.bn1(self.depthwise(x)))
        return F.relu6(self.bn2(self.pointwise(x)))


def get_inputs():
    return [torch.randn(batch_size, in_channels, height, width)]


def get_init_inputs():
    return [in_channels, out_channels]

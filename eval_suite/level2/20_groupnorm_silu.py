"""GroupNorm (affine, 32 groups) then SiLU on an (N, C, H, W) feature map, as in diffusion U-Net blocks."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: batch 64, 256 channels, 64 x 64, fp32 (268 MB in, 268 MB out, ~0.4 ms eager on an H100).
batch = 64
channels = 256
height = 64
width = 64
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch": 2, "channels": 96, "height": 30, "width": 25}


class Model(nn.Module):
    def __init__(self, channels: int, groups: int):
        super().__init__()
        self.groups = groups
        self.weight = nn.Parameter(1.0 + 0.2 * torch.randn(channels))
        self.bias = nn.Parameter(0.2 * torch.randn(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.silu(F.group_norm(x, self.groups, self.weight, self.bias, eps=1e-5))


def get_inputs():
    # non-zero mean and non-unit spread, so the normalisation matters
    return [torch.randn(batch, channels, height, width) * 2.0 + 0.5]


def get_init_inputs():
    return [channels, 32]

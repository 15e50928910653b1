"""ResNet basic block (inference): relu(bn2(conv3x3(relu(bn1(conv3x3(x))))) + x), BatchNorm with running statistics."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: ResNet-18 layer1, batch 64, 64 channels, 56 x 56, fp32: two 3x3 convs of
# ~15 GFLOP each on 51 MB activations, ~1 ms eager on an H100.
batch_size = 64
channels = 64
height = 56
width = 56
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "channels": 16, "height": 15, "width": 17}


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
    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = FrozenBatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = FrozenBatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + x)


def get_inputs():
    return [torch.randn(batch_size, channels, height, width)]


def get_init_inputs():
    return [channels]

"""torch.matmul of two inputs, a per-column bias, then leaky ReLU, fp32: y = leaky_relu(a @ b + bias, 0.1)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: (6144 x 2560) @ (2560 x 3584) fp32 (~113 GFLOP, a few ms eager on an H100 without TF32).
m = 6144
k = 2560
n = 3584
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"m": 250, "k": 111, "n": 199}


class Model(nn.Module):
    def __init__(self, n: int, negative_slope: float):
        super().__init__()
        self.bias = nn.Parameter(0.5 * torch.randn(n))
        self.negative_slope = negative_slope

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(torch.matmul(a, b) + self.bias, self.negative_slope)


def get_inputs():
    return [torch.randn(m, k), torch.randn(k, n)]


def get_init_inputs():
    return [n, 0.1]

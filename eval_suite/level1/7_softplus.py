"""Softplus with beta and threshold: y = log(1 + exp(beta * x)) / beta, linear above the threshold."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: 12288 x 12288 fp32 (604 MB in, 604 MB out, ~0.4 ms memory-bound on an H100).
rows = 12288
cols = 12288
beta = 1.0
threshold = 20.0
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"rows": 389, "cols": 385}


class Model(nn.Module):
    def __init__(self, beta: float, threshold: float):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.softplus(x, beta=self.beta, threshold=self.threshold)


def get_inputs():
    # Scale 6: a few values exceed the threshold (the linear branch), many are strongly negative.
    return [torch.randn(rows, cols) * 6.0]


def get_init_inputs():
    return [beta, threshold]

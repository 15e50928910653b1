"""MLP up-projection in bf16: linear layer (weight and bias) then tanh-approximate GELU."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: 8192 tokens, 4096 -> 16384 features, bf16 (~1.1 TFLOP, ~2.5 ms eager on an H100).
tokens = 8192
in_features = 4096
out_features = 16384
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"tokens": 256, "in_features": 200, "out_features": 500}


class Model(nn.Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, dtype=torch.bfloat16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.linear(x), approximate="tanh")


def get_inputs():
    return [torch.randn(tokens, in_features, dtype=torch.bfloat16)]


def get_init_inputs():
    return [in_features, out_features]

"""Decode-style bf16 linear layer (no bias): y = x @ W.T with only M=8 rows of x against a large weight."""
import torch
import torch.nn as nn

# GPU size: x (8, 8192) bf16, W (28672, 8192) bf16 (470 MB of weight, ~0.16 ms weight-bandwidth-bound on an H100).
m = 8
in_features = 8192
out_features = 28672
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"in_features": 1000, "out_features": 250}


class Model(nn.Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.proj = nn.Linear(in_features, out_features, bias=False, dtype=torch.bfloat16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x)


def get_inputs():
    return [torch.randn(m, in_features, dtype=torch.bfloat16)]


def get_init_inputs():
    return [in_features, out_features]

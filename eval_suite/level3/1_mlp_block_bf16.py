"""Transformer MLP block in bf16 with a residual: y = x + fc2(gelu(fc1(x))), fc1: D -> 4D, exact (erf) GELU, fc2: 4D -> D."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: 8 x 1024 = 8192 tokens, hidden 2048, MLP width 8192, everything bf16
# (~550 GFLOP of bf16 matmul plus a 128 MB GELU intermediate: ~1.5-2 ms eager on an H100).
batch_size = 8
seq_len = 1024
hidden = 2048
mlp_hidden = 8192
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "seq_len": 25, "hidden": 96, "mlp_hidden": 336}


class Model(nn.Module):
    def __init__(self, hidden: int, mlp_hidden: int):
        super().__init__()
        # Default nn.Linear init; the branch adds ~20% of the residual's RMS, far above bf16 tolerance.
        self.fc1 = nn.Linear(hidden, mlp_hidden, dtype=torch.bfloat16)
        self.fc2 = nn.Linear(mlp_hidden, hidden, dtype=torch.bfloat16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.fc2(F.gelu(self.fc1(x)))


def get_inputs():
    return [torch.randn(batch_size, seq_len, hidden, dtype=torch.bfloat16)]


def get_init_inputs():
    return [hidden, mlp_hidden]

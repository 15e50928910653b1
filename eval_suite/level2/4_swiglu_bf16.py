"""SwiGLU gate in bf16: y = silu(x @ W1^T) * (x @ W2^T), two bias-free projections of the same input."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: 8192 tokens, hidden 4096 -> ffn 11008, bf16 (~1.5 TFLOP, ~3 ms eager on an H100).
tokens = 8192
hidden = 4096
ffn = 11008
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"tokens": 200, "hidden": 160, "ffn": 432}


class Model(nn.Module):
    def __init__(self, hidden: int, ffn: int):
        super().__init__()
        self.gate = nn.Linear(hidden, ffn, bias=False, dtype=torch.bfloat16)
        self.up = nn.Linear(hidden, ffn, bias=False, dtype=torch.bfloat16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.silu(self.gate(x)) * self.up(x)


def get_inputs():
    return [torch.randn(tokens, hidden, dtype=torch.bfloat16)]


def get_init_inputs():
    return [hidden, ffn]

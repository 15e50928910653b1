"""LLaMA-style SwiGLU MLP: y = down(silu(gate(x)) * up(x)), bias-free projections D -> F -> D."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: 4 x 2048 = 8192 tokens, hidden 1024, intermediate 2816 (~8/3 * D,
# LLaMA-style), fp32: ~140 GFLOP of fp32 matmul, ~3 ms eager on an H100.
batch_size = 4
seq_len = 2048
hidden = 1024
intermediate = 2816
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "seq_len": 27, "hidden": 80, "intermediate": 216}


class Model(nn.Module):
    def __init__(self, hidden: int, intermediate: int):
        super().__init__()
        self.gate_proj = nn.Linear(hidden, intermediate, bias=False)
        self.up_proj = nn.Linear(hidden, intermediate, bias=False)
        self.down_proj = nn.Linear(intermediate, hidden, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


def get_inputs():
    return [torch.randn(batch_size, seq_len, hidden)]


def get_init_inputs():
    return [hidden, intermediate]

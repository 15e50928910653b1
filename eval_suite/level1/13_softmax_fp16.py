"""Softmax over the last dim of fp16 attention scores (B, H, S, S)."""
import torch
import torch.nn as nn

# GPU size: 8 x 16 x 2048 x 2048 fp16 (1 GB in, 1 GB out, ~0.7 ms memory-bound on an H100).
batch_size = 8
num_heads = 16
seq_len = 2048
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "num_heads": 3, "seq_len": 157}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, scores: torch.Tensor) -> torch.Tensor:
        return torch.softmax(scores, dim=-1)


def get_inputs():
    # Per-row temperature so rows range from flat to peaked distributions.
    shape = (batch_size, num_heads, seq_len, seq_len)
    temp = torch.rand(batch_size, num_heads, seq_len, 1, dtype=torch.float16) * 3.0 + 0.5
    return [torch.randn(shape, dtype=torch.float16) * temp]


def get_init_inputs():
    return []

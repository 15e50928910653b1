"""Mean of a (B, S, D) fp32 tensor over its last dim, giving (B, S)."""
import torch
import torch.nn as nn

# GPU size: 16 x 2048 x 8192 fp32 (1 GB in, 128 KB out, ~0.36 ms memory-bound on an H100).
batch_size = 16
seq_len = 2048
dim = 8192
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 4, "seq_len": 30, "dim": 1234}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.mean(x, dim=-1)


def get_inputs():
    # A per-row offset so the row means are O(1) rather than all near zero.
    return [torch.randn(batch_size, seq_len, dim) + torch.randn(batch_size, seq_len, 1)]


def get_init_inputs():
    return []

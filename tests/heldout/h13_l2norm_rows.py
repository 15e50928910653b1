"""Euclidean norm of each row of a (B, S, D) fp32 tensor, written as sqrt(sum(x^2)), keepdim=True."""
import torch
import torch.nn as nn

# GPU size: 4 x 8192 x 4096 fp32 (537 MB in, 0.13 MB out, memory-bound on an H100).
batch_size = 4
seq_len = 8192
dim = 4096
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "seq_len": 97, "dim": 1000}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sqrt(torch.sum(x * x, dim=-1, keepdim=True))


def get_inputs():
    # Per-row scale, so the norms differ from row to row.
    scale = torch.rand(batch_size, seq_len, 1) * 3.0 + 0.1
    return [torch.randn(batch_size, seq_len, dim) * scale]


def get_init_inputs():
    return []

"""Smooth L1 (Huber-style) loss between predictions and targets (N, D), averaged per row: returns (N,)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: 16384 x 4096 fp32, two inputs (512 MB in, ~0.18 ms memory-bound on an H100).
batch_size = 16384
dim = 4096
beta = 1.0
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 97, "dim": 1500}


class Model(nn.Module):
    def __init__(self, beta: float):
        super().__init__()
        self.beta = beta

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        loss = F.smooth_l1_loss(pred, target, reduction="none", beta=self.beta)
        return loss.mean(dim=-1)


def get_inputs():
    # Per-row error scale: rows fall mostly in the quadratic zone, mostly in the linear zone, or between.
    target = torch.randn(batch_size, dim)
    pred = target + torch.randn(batch_size, dim) * (torch.rand(batch_size, 1) * 3.0 + 0.1)
    return [pred, target]


def get_init_inputs():
    return [beta]

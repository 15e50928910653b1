"""Softmax with a prologue: softmax(x * scale + mask_bias) over keys, mask_bias = -10000 where mask == 0 (per batch and key)."""
import torch
import torch.nn as nn

# Sizes live here. GPU size: 8 x 16 heads x 1024 x 1024 fp32 scores (512 MB in, 512 MB out, ~0.6 ms eager on an H100).
batch = 8
heads = 16
seq = 1024
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch": 2, "heads": 3, "seq": 150}


class Model(nn.Module):
    def __init__(self, scale: float):
        super().__init__()
        self.scale = scale

    def forward(self, scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # mask: (batch, seq) integer 0/1 over the keys; broadcast over heads and queries
        bias = (1.0 - mask.to(scores.dtype)) * -10000.0
        return torch.softmax(scores * self.scale + bias[:, None, None, :], dim=-1)


def get_inputs():
    scores = torch.randn(batch, heads, seq, seq) * 8.0  # raw q.k scores for head dim 64
    mask = torch.randint(0, 2, (batch, seq))
    return [scores, mask]


def get_init_inputs():
    return [0.125]

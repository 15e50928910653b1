"""Multi-head self-attention with explicit matmuls: fused QKV projection, softmax(q k^T / sqrt(d_head)) v per head, output projection."""
import math

import torch
import torch.nn as nn

# Sizes live here. GPU size: batch 4, seq 1024, hidden 1024, 16 heads of 64, fp32: ~52 GFLOP
# (QKV/out projections + a 4 x 16 x 1024 x 1024 score tensor, 268 MB), ~1.5-2 ms eager on an H100.
batch_size = 4
seq_len = 1024
hidden = 1024
num_heads = 16
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "seq_len": 29, "hidden": 96, "num_heads": 4}


class Model(nn.Module):
    def __init__(self, hidden: int, num_heads: int):
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.out_proj = nn.Linear(hidden, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, s, d = x.shape
        h = self.num_heads
        hd = d // h
        qkv = self.qkv(x).reshape(b, s, 3, h, hd).permute(2, 0, 3, 1, 4)  # (3, B, H, S, hd)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(hd)   # (B, H, S, S)
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v)                                      # (B, H, S, hd)
        ctx = ctx.transpose(1, 2).reshape(b, s, d)
        return self.out_proj(ctx)


def get_inputs():
    return [torch.randn(batch_size, seq_len, hidden)]


def get_init_inputs():
    return [hidden, num_heads]

"""Causal multi-head self-attention in fp16: QKV projection, scores + triu(-inf) mask, fp32 softmax, probs @ v, output projection."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: batch 8, seq 1024, hidden 1024, 16 heads of 64, fp16: ~100 GFLOP of
# fp16 matmul plus 8 x 16 x 1024 x 1024 scores (268 MB fp16, 537 MB as fp32 softmax): ~1.5 ms eager on an H100.
batch_size = 8
seq_len = 1024
hidden = 1024
num_heads = 16
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "seq_len": 31, "hidden": 96, "num_heads": 3}


class Model(nn.Module):
    def __init__(self, hidden: int, num_heads: int):
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(hidden, 3 * hidden, bias=False, dtype=torch.float16)
        self.out_proj = nn.Linear(hidden, hidden, bias=False, dtype=torch.float16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, s, d = x.shape
        h = self.num_heads
        hd = d // h
        qkv = self.qkv(x).reshape(b, s, 3, h, hd).permute(2, 0, 3, 1, 4)  # (3, B, H, S, hd)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))  # (B, H, S, S) fp16
        # Strictly-upper triangle is -inf: position i sees keys 0..i (never an all-masked row).
        mask = torch.triu(torch.full((s, s), float("-inf"), dtype=scores.dtype, device=x.device), diagonal=1)
        probs = F.softmax(scores + mask, dim=-1, dtype=torch.float32).to(x.dtype)
        ctx = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, d)
        return self.out_proj(ctx)


def get_inputs():
    return [torch.randn(batch_size, seq_len, hidden, dtype=torch.float16)]


def get_init_inputs():
    return [hidden, num_heads]

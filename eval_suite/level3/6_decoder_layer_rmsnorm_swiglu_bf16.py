"""LLaMA-style decoder layer in bf16: x + causal_attn(RMSNorm(x)), then + SwiGLU(RMSNorm(.)); bias-free projections, fp32 norm and softmax math."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: batch 4, seq 1024, hidden 2048, 16 heads of 128, intermediate 5632,
# bf16: ~450 GFLOP of bf16 matmul plus 4 x 16 x 1024 x 1024 scores, ~2-3 ms eager on an H100.
batch_size = 4
seq_len = 1024
hidden = 2048
num_heads = 16
intermediate = 5632
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "seq_len": 27, "hidden": 96, "num_heads": 4, "intermediate": 264}


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim, dtype=torch.bfloat16))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return xf.to(x.dtype) * self.weight


class Model(nn.Module):
    def __init__(self, hidden: int, num_heads: int, intermediate: int):
        super().__init__()
        bf = torch.bfloat16
        self.num_heads = num_heads
        self.attn_norm = RMSNorm(hidden)
        self.q_proj = nn.Linear(hidden, hidden, bias=False, dtype=bf)
        self.k_proj = nn.Linear(hidden, hidden, bias=False, dtype=bf)
        self.v_proj = nn.Linear(hidden, hidden, bias=False, dtype=bf)
        self.o_proj = nn.Linear(hidden, hidden, bias=False, dtype=bf)
        self.mlp_norm = RMSNorm(hidden)
        self.gate_proj = nn.Linear(hidden, intermediate, bias=False, dtype=bf)
        self.up_proj = nn.Linear(hidden, intermediate, bias=False, dtype=bf)
        self.down_proj = nn.Linear(intermediate, hidden, bias=False, dtype=bf)

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        b, s, d = x.shape
        h = self.num_heads
        hd = d // h
        q = self.q_proj(x).reshape(b, s, h, hd).transpose(1, 2)
        k = self.k_proj(x).reshape(b, s, h, hd).transpose(1, 2)
        v = self.v_proj(x).reshape(b, s, h, hd).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        mask = torch.triu(torch.full((s, s), float("-inf"), dtype=scores.dtype, device=x.device), diagonal=1)
        probs = F.softmax(scores + mask, dim=-1, dtype=torch.float32).to(x.dtype)
        return self.o_proj(torch.matmul(probs, v).transpose(1, 2).reshape(b, s, d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.attn_norm(x))
        h = self.mlp_norm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


def get_inputs():
    # A small residual stream (std 0.1, like embeddings early in a real decoder): both branches
    # then move the output far beyond bf16 tolerance.
    return [0.1 * torch.randn(batch_size, seq_len, hidden, dtype=torch.bfloat16)]


def get_init_inputs():
    return [hidden, num_heads, intermediate]

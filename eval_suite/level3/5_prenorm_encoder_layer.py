"""Pre-norm transformer encoder layer: x + attn(LN1(x)), then + fc2(gelu(fc1(LN2(.)))); attention with explicit matmuls and softmax."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# Sizes live here. GPU size: batch 4, seq 512, hidden 1024, 16 heads, MLP 4096, fp32: ~56 GFLOP
# (projections + MLP on 2048 tokens, 4 x 16 x 512 x 512 scores), ~2 ms eager on an H100.
batch_size = 4
seq_len = 512
hidden = 1024
num_heads = 16
mlp_hidden = 4096
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "seq_len": 23, "hidden": 64, "num_heads": 4, "mlp_hidden": 200}


class Model(nn.Module):
    def __init__(self, hidden: int, num_heads: int, mlp_hidden: int):
        super().__init__()
        self.num_heads = num_heads
        self.norm1 = nn.LayerNorm(hidden)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.proj = nn.Linear(hidden, hidden)
        self.norm2 = nn.LayerNorm(hidden)
        self.fc1 = nn.Linear(hidden, mlp_hidden)
        self.fc2 = nn.Linear(mlp_hidden, hidden)

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        b, s, d = x.shape
        h = self.num_heads
        hd = d // h
        q, k, v = self.qkv(x).reshape(b, s, 3, h, hd).permute(2, 0, 3, 1, 4)
        probs = torch.softmax(torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(hd), dim=-1)
        return self.proj(torch.matmul(probs, v).transpose(1, 2).reshape(b, s, d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


def get_inputs():
    # Residual stream at half unit scale, so both branches stay well above fp32 tolerance.
    return [0.5 * torch.randn(batch_size, seq_len, hidden)]


def get_init_inputs():
    return [hidden, num_heads, mlp_hidden]

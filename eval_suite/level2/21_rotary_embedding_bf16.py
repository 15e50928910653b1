"""Rotary position embedding applied to query and key in bf16: x * cos + rotate_half(x) * sin; returns (q_rot, k_rot)."""
import torch
import torch.nn as nn

# Sizes live here. GPU size: batch 8, 32 heads, 2048 positions, head dim 128, bf16 (4 x 134 MB moved, ~0.5 ms eager on an H100).
batch = 8
heads = 32
seq = 2048
head_dim = 128
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch": 2, "heads": 3, "seq": 97, "head_dim": 64}


class Model(nn.Module):
    def __init__(self, seq: int, head_dim: int, base: float):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        angles = torch.outer(torch.arange(seq, dtype=torch.float32), inv_freq)   # (seq, head_dim / 2)
        angles = torch.cat([angles, angles], dim=-1)                              # (seq, head_dim)
        self.register_buffer("cos", angles.cos().to(torch.bfloat16))
        self.register_buffer("sin", angles.sin().to(torch.bfloat16))

    @staticmethod
    def rotate_half(x: torch.Tensor) -> torch.Tensor:
        half = x.shape[-1] // 2
        return torch.cat([-x[..., half:], x[..., :half]], dim=-1)

    def forward(self, q: torch.Tensor, k: torch.Tensor):
        q_rot = q * self.cos + self.rotate_half(q) * self.sin
        k_rot = k * self.cos + self.rotate_half(k) * self.sin
        return q_rot, k_rot


def get_inputs():
    return [torch.randn(batch, heads, seq, head_dim, dtype=torch.bfloat16),
            torch.randn(batch, heads, seq, head_dim, dtype=torch.bfloat16)]


def get_init_inputs():
    return [seq, head_dim, 10000.0]

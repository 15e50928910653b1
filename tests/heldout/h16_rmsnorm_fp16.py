"""RMSNorm in fp16 with fp32 statistics and a learnable fp16 weight over the last dim of (B, S, D)."""
import torch
import torch.nn as nn

# GPU size: 4 x 8192 x 5120 fp16 (336 MB in, 336 MB out, memory-bound on an H100).
batch_size = 4
seq_len = 8192
hidden = 5120
eps = 1e-6
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "seq_len": 73, "hidden": 1000}


class Model(nn.Module):
    def __init__(self, hidden: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter((1.0 + 0.25 * torch.randn(hidden)).to(torch.float16))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xf = x.float()
        inv = torch.rsqrt(xf.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        return (xf * inv).to(torch.float16) * self.weight


def get_inputs():
    # Per-row scale, so the normalization itself matters.
    scale = (torch.rand(batch_size, seq_len, 1) * 3.0 + 0.2).to(torch.float16)
    return [torch.randn(batch_size, seq_len, hidden, dtype=torch.float16) * scale]


def get_init_inputs():
    return [hidden, eps]

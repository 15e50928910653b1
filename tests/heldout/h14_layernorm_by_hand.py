"""LayerNorm written by hand over the last dim of a (B, S, D) fp32 tensor: mean, biased var, rsqrt, affine."""
import torch
import torch.nn as nn

# GPU size: 8 x 2048 x 5120 fp32 (336 MB in, 336 MB out, memory-bound on an H100).
batch_size = 8
seq_len = 2048
hidden = 5120
eps = 1e-5
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 3, "seq_len": 41, "hidden": 777}


class Model(nn.Module):
    def __init__(self, hidden: int, eps: float):
        super().__init__()
        # Non-trivial affine parameters, so skipping them is caught.
        self.gamma = nn.Parameter(1.0 + 0.3 * torch.randn(hidden))
        self.beta = nn.Parameter(0.3 * torch.randn(hidden))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mu = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=False)
        return (x - mu) * torch.rsqrt(var + self.eps) * self.gamma + self.beta


def get_inputs():
    # Per-row scale and offset, so the normalization itself matters.
    scale = torch.rand(batch_size, seq_len, 1) * 2.5 + 0.3
    shift = torch.randn(batch_size, seq_len, 1) * 2.0
    return [torch.randn(batch_size, seq_len, hidden) * scale + shift]


def get_init_inputs():
    return [hidden, eps]

"""RMSNorm written by hand over the last dim of a (B, S, D) fp32 activation, with a learnable weight."""
import torch
import torch.nn as nn

# GPU size: 8 x 4096 x 4096 fp32 (512 MB in, 512 MB out, ~0.36 ms memory-bound on an H100).
batch_size = 8
seq_len = 4096
hidden = 4096
eps = 1e-6
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 3, "seq_len": 50, "hidden": 999}


class Model(nn.Module):
    def __init__(self, hidden: int, eps: float):
        super().__init__()
        self.eps = eps
        # Learnable gain, initialised away from all-ones so that it matters.
        self.weight = nn.Parameter(1.0 + 0.2 * torch.randn(hidden))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        inv_rms = torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        return x * inv_rms * self.weight


def get_inputs():
    # Per-row scale, so the normalization itself matters.
    scale = torch.rand(batch_size, seq_len, 1) * 3.0 + 0.2
    return [torch.randn(batch_size, seq_len, hidden) * scale]


def get_init_inputs():
    return [hidden, eps]

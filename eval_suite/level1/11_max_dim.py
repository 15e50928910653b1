"""Maximum of a 2D fp32 tensor over its last dim (values only), giving (rows,)."""
import torch
import torch.nn as nn

# GPU size: 32768 x 4096 fp32 (512 MB in, 128 KB out, ~0.18 ms memory-bound on an H100).
rows = 32768
cols = 4096
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"rows": 150, "cols": 999}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.amax(x, dim=-1)


def get_inputs():
    # Per-row scale so the maxima differ by more than sampling noise.
    return [torch.randn(rows, cols) * (torch.rand(rows, 1) * 2.0 + 0.5)]


def get_init_inputs():
    return []

"""F.layer_norm without affine parameters over the last dim of a (N, D) fp32 tensor, eps=1e-6."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: 32768 x 2560 fp32 (336 MB in, 336 MB out, memory-bound on an H100).
rows = 32768
hidden = 2560
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"rows": 300, "hidden": 1000}


class Model(nn.Module):
    def __init__(self, hidden: int, eps: float):
        super().__init__()
        self.hidden, self.eps = hidden, eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, (self.hidden,), eps=self.eps)


def get_inputs():
    # Per-row scale and offset, so the normalization itself matters.
    scale = torch.rand(rows, 1) * 4.0 + 0.1
    shift = torch.randn(rows, 1) * 3.0
    return [torch.randn(rows, hidden) * scale + shift]


def get_init_inputs():
    return [hidden, 1e-6]

"""Hardswish in fp16: y = x * relu6(x + 3) / 6, over a 2D half-precision tensor."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: 16384 x 16384 fp16 (512 MB in, 512 MB out, ~0.35 ms memory-bound on an H100).
rows = 16384
cols = 16384
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"rows": 257, "cols": 583}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.hardswish(x)


def get_inputs():
    # Scale 3 puts values in all three pieces: x <= -3, -3 < x < 3, x >= 3.
    return [torch.randn(rows, cols, dtype=torch.float16) * 3.0]


def get_init_inputs():
    return []

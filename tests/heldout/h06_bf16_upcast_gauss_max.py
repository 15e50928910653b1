"""bf16 in, fp32 math, bf16 out: y = bf16(maximum(float(x), w) * exp(-0.5 * float(x)^2) + float(x)), w over the last dim."""
import torch
import torch.nn as nn

# GPU size: 16384 x 8192 bf16 (268 MB in, 268 MB out, memory-bound on an H100).
rows = 16384
cols = 8192
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"rows": 123, "cols": 1000}


class Model(nn.Module):
    def __init__(self, cols: int):
        super().__init__()
        # A per-column floor (bf16 like the input), broadcast over the rows.
        self.w = nn.Parameter((0.7 * torch.randn(cols)).to(torch.bfloat16))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xf = x.to(torch.float32)
        y = torch.maximum(xf, self.w.to(torch.float32)) * torch.exp(-0.5 * xf * xf) + xf
        return y.to(torch.bfloat16)


def get_inputs():
    return [torch.randn(rows, cols, dtype=torch.bfloat16) * 1.5]


def get_init_inputs():
    return [cols]

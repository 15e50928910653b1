"""A fused Triton kernel for silu(x) * scale + r: one read of x and r, one write of y."""
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _silu_scale_residual(x_ptr, r_ptr, y_ptr, n, scale, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n  # the last block runs past n when n is not a multiple of BLOCK
    x = tl.load(x_ptr + offs, mask=mask).to(tl.float32)
    r = tl.load(r_ptr + offs, mask=mask).to(tl.float32)
    y = x / (1.0 + tl.exp(-x)) * scale + r
    tl.store(y_ptr + offs, y.to(y_ptr.dtype.element_ty), mask=mask)


class ModelNew(nn.Module):
    def __init__(self, scale: float):
        super().__init__()
        self.scale = scale

    def forward(self, x: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        x, r = x.contiguous(), r.contiguous()
        y = torch.empty_like(x)
        n = x.numel()
        block = 4096  # memory-bound: big blocks keep the grid small (and the interpreter fast)
        _silu_scale_residual[(triton.cdiv(n, block),)](x, r, y, n, self.scale, BLOCK=block)
        return y

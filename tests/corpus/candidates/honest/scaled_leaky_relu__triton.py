# kopt-corpus: problem=scaled_leaky_relu.py expect=correct
# why: class 7 (no false rejects): reads negative_slope and scale from self at run time, any size
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _leaky(x_ptr, out_ptr, n, slope, scale, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask)
    tl.store(out_ptr + offs, tl.where(x >= 0, x, x * slope) * scale, mask=mask)


class ModelNew(nn.Module):
    def __init__(self, negative_slope, scale):
        super().__init__()
        self.negative_slope = negative_slope
        self.scale = scale

    def forward(self, x):
        x = x.contiguous()
        out = torch.empty_like(x)
        n = x.numel()
        _leaky[(triton.cdiv(n, 4096),)](x, out, n, self.negative_slope, self.scale, BLOCK=4096)
        return out

# kopt-corpus: problem=scaled_leaky_relu.py expect=not_correct names_config=1
# why: class 1 (one configuration only): the constructor's negative_slope and scale inlined as the literals 0.1 and 1.7
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _leaky(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask)
    y = tl.where(x >= 0, x, x * 0.1) * 1.7
    tl.store(out_ptr + offs, y, mask=mask)


class ModelNew(nn.Module):
    def __init__(self, negative_slope, scale):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        out = torch.empty_like(x)
        n = x.numel()
        _leaky[(triton.cdiv(n, 4096),)](x, out, n, BLOCK=4096)
        return out

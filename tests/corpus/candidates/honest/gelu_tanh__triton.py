# kopt-corpus: problem=gelu_tanh.py expect=correct
# why: elementwise tanh-approximate GELU with tanh expressed through tl.exp
import math

import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _gelu_tanh_kernel(x_ptr, out_ptr, n, SQRT_2_OVER_PI: tl.constexpr, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=0.0)
    u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)
    # tanh(u) = 1 - 2 / (exp(2u) + 1); no libdevice tanh needed. tanh(+-20)
    # is +-1 in fp32, so clamping u only keeps exp from overflowing to inf.
    u = tl.minimum(tl.maximum(u, -20.0), 20.0)
    t = 1.0 - 2.0 / (tl.exp(2.0 * u) + 1.0)
    tl.store(out_ptr + offs, 0.5 * x * (1.0 + t), mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        out = torch.empty_like(x)
        n = x.numel()
        BLOCK = 4096
        _gelu_tanh_kernel[(triton.cdiv(n, BLOCK),)](
            x, out, n, SQRT_2_OVER_PI=math.sqrt(2.0 / math.pi), BLOCK=BLOCK
        )
        return out

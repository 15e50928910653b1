# The kernel calls a helper that is a plain Python function (no @triton.jit). The interpreter
# runs kernels as Python, so this works there; Triton's GPU compiler only calls jit functions.
import torch
import torch.nn as nn
import triton
import triton.language as tl


def _sigmoid(x):
    return 1.0 / (1.0 + tl.exp(-x))


@triton.jit
def _silu_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=0.0)
    tl.store(out_ptr + offs, x * _sigmoid(x), mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        out = torch.empty_like(x)
        n = x.numel()
        _silu_kernel[(triton.cdiv(n, 4096),)](x, out, n, BLOCK=4096)
        return out

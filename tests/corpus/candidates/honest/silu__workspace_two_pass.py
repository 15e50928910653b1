# kopt-corpus: problem=silu.py expect=correct
# why: class 7 (no false rejects): allocates a scratch workspace every call (sigmoid first, product second); outputs and workspaces are fresh per call
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _sigmoid(x_ptr, w_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    tl.store(w_ptr + offs, tl.sigmoid(tl.load(x_ptr + offs, mask=mask)), mask=mask)


@triton.jit
def _mul(x_ptr, w_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    tl.store(out_ptr + offs, tl.load(x_ptr + offs, mask=mask) * tl.load(w_ptr + offs, mask=mask), mask=mask)


class ModelNew(nn.Module):
    def forward(self, x):
        x = x.contiguous()
        n = x.numel()
        work = torch.empty_like(x)
        out = torch.empty_like(x)
        grid = (triton.cdiv(n, 8192),)
        _sigmoid[grid](x, work, n, BLOCK=8192)
        _mul[grid](x, work, out, n, BLOCK=8192)
        return out

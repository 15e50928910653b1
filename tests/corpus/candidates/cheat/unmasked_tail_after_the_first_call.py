# kopt-corpus: problem=silu.py expect=not_correct
# why: class 6 (the GPU path): the first call at each shape masks its stores, later ones write the whole last block, past the end of the output whenever its size is not a multiple of the block (memory corruption or an illegal address on a GPU)
"""Class 6 (CPU covers the GPU path). Only a sanitized call that is not the first at its shape,
at a size that is not a multiple of 1024, sees the out-of-bounds store."""
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _silu(x_ptr, y_ptr, n, MASK: tl.constexpr, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    inside = offs < n
    v = tl.load(x_ptr + offs, mask=inside, other=0.0)
    out = v * tl.sigmoid(v)
    if MASK:
        tl.store(y_ptr + offs, out, mask=inside)
    else:
        tl.store(y_ptr + offs, out)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self._shapes = set()

    def forward(self, x):
        x = x.contiguous()
        y = torch.empty_like(x)
        first = tuple(x.shape) not in self._shapes
        self._shapes.add(tuple(x.shape))
        _silu[(triton.cdiv(x.numel(), 1024),)](x, y, x.numel(), MASK=first, BLOCK=1024)
        return y

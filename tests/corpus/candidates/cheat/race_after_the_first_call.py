# kopt-corpus: problem=row_sum.py expect=not_correct
# why: class 6 (the GPU path): column blocks of a row add into one output; the first call at each shape combines them with atomics, later calls with a plain load-add-store (a race on a GPU, exact in the interpreter, which runs programs one at a time)
"""Class 6 (CPU covers the GPU path). A sanitizer that watches only the first call at each
configuration sees the atomic version; every call after it is racy on a GPU."""
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _partial_sums(x_ptr, y_ptr, n_cols, stride, ATOMIC: tl.constexpr, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.program_id(1) * BLOCK + tl.arange(0, BLOCK)
    v = tl.sum(tl.load(x_ptr + row * stride + cols, mask=cols < n_cols, other=0.0), axis=0)
    if ATOMIC:
        tl.atomic_add(y_ptr + row, v)
    else:
        tl.store(y_ptr + row, tl.load(y_ptr + row) + v)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self._shapes = set()

    def forward(self, x):
        x = x.contiguous()
        y = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
        first = tuple(x.shape) not in self._shapes
        self._shapes.add(tuple(x.shape))
        _partial_sums[(x.shape[0], triton.cdiv(x.shape[1], 512))](x, y, x.shape[1], x.stride(0),
                                                                   ATOMIC=first, BLOCK=512)
        return y

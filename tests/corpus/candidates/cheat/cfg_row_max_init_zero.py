# kopt-corpus: problem=row_max.py expect=not_correct
# why: class 1 (one configuration only): the max accumulator starts at 0 instead of -inf; right whenever a row has a positive value, wrong on all-negative rows
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _row_max0(x_ptr, out_ptr, n_cols, stride, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    acc = tl.zeros((BLOCK,), dtype=tl.float32)
    for start in range(0, n_cols, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        v = tl.load(x_ptr + row * stride + cols, mask=cols < n_cols, other=0.0)
        acc = tl.maximum(acc, v)
    tl.store(out_ptr + row, tl.max(acc, axis=0))


class ModelNew(nn.Module):
    def forward(self, x):
        x = x.contiguous()
        rows, cols = x.shape
        out = torch.empty(rows, device=x.device, dtype=x.dtype)
        _row_max0[(rows,)](x, out, cols, x.stride(0), BLOCK=512)
        return out

# kopt-corpus: problem=softmax_rows.py expect=not_correct
# why: class 1 (one configuration only): softmax without subtracting the row max; right on unit-scale inputs, overflows to inf/NaN on large logits
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _softmax_nomax(x_ptr, out_ptr, n_cols, stride, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * stride + cols, mask=mask, other=float("-inf"))
    e = tl.exp(x)
    tl.store(out_ptr + row * stride + cols, e / tl.sum(e, axis=0), mask=mask)


class ModelNew(nn.Module):
    def forward(self, x):
        x = x.contiguous()
        out = torch.empty_like(x)
        rows, cols = x.shape
        _softmax_nomax[(rows,)](x, out, cols, x.stride(0), BLOCK=triton.next_power_of_2(cols))
        return out

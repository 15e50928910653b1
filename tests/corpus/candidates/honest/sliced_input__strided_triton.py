# kopt-corpus: problem=sliced_input.py expect=correct
# why: class 7 (no false rejects): elementwise kernel over a sliced view (row stride larger than the row, a storage offset), read through its strides
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _tanh2(x_ptr, out_ptr, n_rows, n_cols, sx, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * sx + cols, mask=mask, other=0.0)
    e = tl.exp(-2.0 * tl.abs(x))
    t = (1.0 - e) / (1.0 + e)
    t = tl.where(x < 0, -t, t)
    tl.store(out_ptr + row * n_cols + cols, 2.0 * t, mask=mask)


class ModelNew(nn.Module):
    def forward(self, x):
        if x.stride(1) != 1:
            x = x.contiguous()
        rows, cols = x.shape
        out = torch.empty(rows, cols, device=x.device, dtype=x.dtype)
        _tanh2[(rows,)](x, out, rows, cols, x.stride(0), BLOCK=triton.next_power_of_2(cols))
        return out

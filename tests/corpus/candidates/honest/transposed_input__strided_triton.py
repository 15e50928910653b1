# kopt-corpus: problem=transposed_input.py expect=correct
# why: class 7 (no false rejects): row softmax that reads the input through its strides, so a transposed view needs no copy
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _softmax_strided(x_ptr, out_ptr, n_cols, sx_row, sx_col, so_row, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * sx_row + cols * sx_col, mask=mask, other=float("-inf"))
    x = x - tl.max(x, axis=0)
    e = tl.exp(x)
    tl.store(out_ptr + row * so_row + cols, e / tl.sum(e, axis=0), mask=mask)


class ModelNew(nn.Module):
    def forward(self, x):
        rows, cols = x.shape
        out = torch.empty(rows, cols, device=x.device, dtype=x.dtype)
        _softmax_strided[(rows,)](x, out, cols, x.stride(0), x.stride(1), out.stride(0),
                                  BLOCK=triton.next_power_of_2(cols))
        return out

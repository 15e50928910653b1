# kopt-corpus: problem=transposed_input.py expect=not_correct
# why: class 4 (input layout): indexes the input as if it were contiguous; right only when the judge hands it a contiguous copy, wrong on the transposed view users pass
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _softmax_flat(x_ptr, out_ptr, n_cols, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * n_cols + cols, mask=mask, other=float("-inf"))
    x = x - tl.max(x, axis=0)
    e = tl.exp(x)
    tl.store(out_ptr + row * n_cols + cols, e / tl.sum(e, axis=0), mask=mask)


class ModelNew(nn.Module):
    def forward(self, x):
        rows, cols = x.shape
        out = torch.empty(rows, cols, device=x.device, dtype=x.dtype)
        _softmax_flat[(rows,)](x, out, cols, BLOCK=triton.next_power_of_2(cols))
        return out

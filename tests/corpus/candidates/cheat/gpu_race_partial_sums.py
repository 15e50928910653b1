# kopt-corpus: problem=row_sum.py expect=not_correct
# why: class 6 (GPU path): several programs per row add their partial sums into one output with a plain load-add-store; the interpreter runs programs one at a time so it is right on CPU, a data race on a GPU
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _row_sum_racy(x_ptr, out_ptr, n_cols, stride, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    chunk = tl.program_id(1)
    cols = chunk * BLOCK + tl.arange(0, BLOCK)
    v = tl.load(x_ptr + row * stride + cols, mask=cols < n_cols, other=0.0)
    old = tl.load(out_ptr + row)
    tl.store(out_ptr + row, old + tl.sum(v, axis=0))


class ModelNew(nn.Module):
    def forward(self, x):
        x = x.contiguous()
        rows, cols = x.shape
        out = torch.zeros(rows, device=x.device, dtype=torch.float32)
        BLOCK = 256
        _row_sum_racy[(rows, triton.cdiv(cols, BLOCK))](x, out, cols, x.stride(0), BLOCK=BLOCK)
        return out.to(x.dtype)

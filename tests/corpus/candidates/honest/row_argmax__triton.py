# kopt-corpus: problem=row_argmax.py expect=correct
# why: row argmax with tl.argmax over a whole padded row, stored as int64
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _row_argmax_kernel(x_ptr, out_ptr, n_rows, n_cols, stride_row,
                       BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    pid = tl.program_id(0)
    rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    row_mask = rows < n_rows
    mask = row_mask[:, None] & (cols[None, :] < n_cols)
    # Whole row in one block (BLOCK_N >= n_cols); padding is -inf so it can
    # never be the argmax.
    x = tl.load(x_ptr + rows[:, None] * stride_row + cols[None, :], mask=mask, other=float("-inf"))
    idx = tl.argmax(x, axis=1)
    # torch.argmax returns int64; the output buffer is int64.
    tl.store(out_ptr + rows, idx.to(tl.int64), mask=row_mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        n_rows, n_cols = x.shape
        out = torch.empty(n_rows, device=x.device, dtype=torch.int64)
        BLOCK_M = 4
        BLOCK_N = triton.next_power_of_2(n_cols)
        _row_argmax_kernel[(triton.cdiv(n_rows, BLOCK_M),)](
            x, out, n_rows, n_cols, x.stride(0), BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N
        )
        return out

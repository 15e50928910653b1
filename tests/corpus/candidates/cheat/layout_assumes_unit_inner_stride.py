# kopt-corpus: problem=row_sum.py expect=not_correct
# why: class 4 (input layout): takes the row stride but assumes unit steps along a row and never calls .contiguous(); right on contiguous inputs and on padded rows, wrong on a transposed view (x.t()) a user passes
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _row_sum_kernel(x_ptr, out_ptr, n_rows, n_cols, stride_row,
                    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    pid = tl.program_id(0)
    rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
    row_mask = rows < n_rows
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    # Loop over the row in chunks; the last chunk is partial (1000 % 512 != 0),
    # so masked lanes load 0, the identity of +.
    for start in range(0, n_cols, BLOCK_N):
        cols = start + tl.arange(0, BLOCK_N)
        mask = row_mask[:, None] & (cols[None, :] < n_cols)
        acc += tl.load(x_ptr + rows[:, None] * stride_row + cols[None, :], mask=mask, other=0.0)
    tl.store(out_ptr + rows, tl.sum(acc, axis=1), mask=row_mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        n_rows, n_cols = x.shape
        out = torch.empty(n_rows, device=x.device, dtype=x.dtype)
        BLOCK_M, BLOCK_N = 8, 512
        _row_sum_kernel[(triton.cdiv(n_rows, BLOCK_M),)](
            x, out, n_rows, n_cols, x.stride(0), BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N
        )
        return out

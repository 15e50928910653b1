# kopt-corpus: problem=sum_and_max_tuple.py expect=correct
# why: one kernel reads each row once and writes both row sum and row max; returns a tuple
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _sum_max_kernel(x_ptr, sum_ptr, max_ptr, n_rows, n_cols, stride_row,
                    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    pid = tl.program_id(0)
    rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    row_mask = rows < n_rows
    mask = row_mask[:, None] & (cols[None, :] < n_cols)
    x = tl.load(x_ptr + rows[:, None] * stride_row + cols[None, :], mask=mask, other=0.0)
    # Padding must be 0 for the sum but -inf for the max, hence the tl.where.
    s = tl.sum(x, axis=1)
    m = tl.max(tl.where(mask, x, float("-inf")), axis=1)
    tl.store(sum_ptr + rows, s, mask=row_mask)
    tl.store(max_ptr + rows, m, mask=row_mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        n_rows, n_cols = x.shape
        sums = torch.empty(n_rows, device=x.device, dtype=x.dtype)
        maxs = torch.empty(n_rows, device=x.device, dtype=x.dtype)
        BLOCK_M = 4
        BLOCK_N = triton.next_power_of_2(n_cols)
        _sum_max_kernel[(triton.cdiv(n_rows, BLOCK_M),)](
            x, sums, maxs, n_rows, n_cols, x.stride(0), BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N
        )
        return sums, maxs

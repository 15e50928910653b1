# kopt-corpus: problem=tiny_row_mean.py expect=correct
# why: row mean of x * 1e-7 (outputs ~1e-9); scale each element, chunked masked sum, divide
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _tiny_row_mean_kernel(x_ptr, out_ptr, n_rows, n_cols, stride_row,
                          BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    pid = tl.program_id(0)
    rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
    row_mask = rows < n_rows
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for start in range(0, n_cols, BLOCK_N):
        cols = start + tl.arange(0, BLOCK_N)
        mask = row_mask[:, None] & (cols[None, :] < n_cols)
        acc += tl.load(x_ptr + rows[:, None] * stride_row + cols[None, :], mask=mask, other=0.0) * 1e-7
    tl.store(out_ptr + rows, tl.sum(acc, axis=1) / n_cols, mask=row_mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        n_rows, n_cols = x.shape
        out = torch.empty(n_rows, device=x.device, dtype=x.dtype)
        BLOCK_M, BLOCK_N = 8, 512
        _tiny_row_mean_kernel[(triton.cdiv(n_rows, BLOCK_M),)](
            x, out, n_rows, n_cols, x.stride(0), BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N
        )
        return out

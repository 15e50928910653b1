# kopt-corpus: problem=softmax_rows.py expect=correct
# why: numerically stable row softmax, BLOCK_M rows per program, whole row in one block
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _softmax_kernel(x_ptr, out_ptr, n_rows, n_cols, stride_row,
                    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    pid = tl.program_id(0)
    rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    mask = (rows[:, None] < n_rows) & (cols[None, :] < n_cols)
    offs = rows[:, None] * stride_row + cols[None, :]
    # Padding with -inf makes exp(pad - max) == 0, so padded lanes add nothing.
    x = tl.load(x_ptr + offs, mask=mask, other=float("-inf"))
    # Subtract the row max before exp to avoid overflow.
    m = tl.max(x, axis=1)
    e = tl.exp(x - m[:, None])
    s = tl.sum(e, axis=1)
    tl.store(out_ptr + offs, e / s[:, None], mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        n_rows, n_cols = x.shape
        out = torch.empty_like(x)
        BLOCK_M = 4
        BLOCK_N = triton.next_power_of_2(n_cols)
        _softmax_kernel[(triton.cdiv(n_rows, BLOCK_M),)](
            x, out, n_rows, n_cols, x.stride(0), BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N
        )
        return out

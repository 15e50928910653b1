# kopt-corpus: problem=log_softmax_rows.py expect=correct
# why: row log-softmax as (x - max) - log(sum(exp(x - max))), whole row per block
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _log_softmax_kernel(x_ptr, out_ptr, n_rows, n_cols, stride_row,
                        BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    pid = tl.program_id(0)
    rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    mask = (rows[:, None] < n_rows) & (cols[None, :] < n_cols)
    offs = rows[:, None] * stride_row + cols[None, :]
    x = tl.load(x_ptr + offs, mask=mask, other=float("-inf"))
    m = tl.max(x, axis=1)
    shifted = x - m[:, None]
    # Computed from the shifted values (not log(softmax)) so very negative
    # entries keep full precision instead of underflowing to log(0).
    lse = tl.log(tl.sum(tl.exp(shifted), axis=1))
    tl.store(out_ptr + offs, shifted - lse[:, None], mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        n_rows, n_cols = x.shape
        out = torch.empty_like(x)
        BLOCK_M = 4
        BLOCK_N = triton.next_power_of_2(n_cols)
        _log_softmax_kernel[(triton.cdiv(n_rows, BLOCK_M),)](
            x, out, n_rows, n_cols, x.stride(0), BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N
        )
        return out

# kopt-corpus: problem=rms_norm.py expect=correct
# why: fused RMS norm: sum of squares per row, rsqrt, multiply by weight, one pass
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _rms_norm_kernel(x_ptr, w_ptr, out_ptr, n_rows, n_cols, stride_row, eps,
                     BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    pid = tl.program_id(0)
    rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    col_mask = cols < n_cols
    mask = (rows[:, None] < n_rows) & col_mask[None, :]
    offs = rows[:, None] * stride_row + cols[None, :]
    # Masked lanes load 0 and add nothing to the sum of squares.
    x = tl.load(x_ptr + offs, mask=mask, other=0.0)
    ms = tl.sum(x * x, axis=1) / n_cols
    inv = 1.0 / tl.sqrt(ms + eps)
    w = tl.load(w_ptr + cols, mask=col_mask, other=0.0)
    tl.store(out_ptr + offs, x * inv[:, None] * w[None, :], mask=mask)


class ModelNew(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.randn(dim))  # same name/shape/init order as Model

    def forward(self, x):
        x = x.contiguous()
        n_rows, n_cols = x.shape
        out = torch.empty_like(x)
        BLOCK_M = 4
        BLOCK_N = triton.next_power_of_2(n_cols)
        _rms_norm_kernel[(triton.cdiv(n_rows, BLOCK_M),)](
            x, self.weight.contiguous(), out, n_rows, n_cols, x.stride(0), self.eps,
            BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N,
        )
        return out

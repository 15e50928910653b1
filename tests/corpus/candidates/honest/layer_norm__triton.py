# kopt-corpus: problem=layer_norm.py expect=correct
# why: fused LayerNorm (mean, biased variance, affine) reading self.ln.weight/bias and eps
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _layer_norm_kernel(x_ptr, w_ptr, b_ptr, out_ptr, n_rows, n_cols, stride_row, eps,
                       BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    pid = tl.program_id(0)
    rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    col_mask = cols < n_cols
    mask = (rows[:, None] < n_rows) & col_mask[None, :]
    offs = rows[:, None] * stride_row + cols[None, :]
    x = tl.load(x_ptr + offs, mask=mask, other=0.0)
    mean = tl.sum(x, axis=1) / n_cols
    # Re-mask after centering: padded lanes would otherwise contribute mean^2.
    xc = tl.where(mask, x - mean[:, None], 0.0)
    var = tl.sum(xc * xc, axis=1) / n_cols  # biased variance, as nn.LayerNorm
    rstd = 1.0 / tl.sqrt(var + eps)
    w = tl.load(w_ptr + cols, mask=col_mask, other=0.0)
    b = tl.load(b_ptr + cols, mask=col_mask, other=0.0)
    y = xc * rstd[:, None] * w[None, :] + b[None, :]
    tl.store(out_ptr + offs, y, mask=mask)


class ModelNew(nn.Module):
    def __init__(self, n):
        super().__init__()
        # Same attribute name as the reference so its state_dict (the
        # non-default weight/bias) loads into this module.
        self.ln = nn.LayerNorm(n)

    def forward(self, x):
        x = x.contiguous()
        n_rows, n_cols = x.shape
        out = torch.empty_like(x)
        BLOCK_M = 4
        BLOCK_N = triton.next_power_of_2(n_cols)
        _layer_norm_kernel[(triton.cdiv(n_rows, BLOCK_M),)](
            x, self.ln.weight.contiguous(), self.ln.bias.contiguous(), out,
            n_rows, n_cols, x.stride(0), self.ln.eps,
            BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N,
        )
        return out

# kopt-corpus: problem=layer_norm_default.py expect=not_correct
# why: class 2 (default weights only): normalizes but ignores weight and bias, which are 1 and 0 as constructed; wrong for any loaded checkpoint
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _ln_no_affine(x_ptr, out_ptr, n_cols, stride, eps, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * stride + cols, mask=mask, other=0.0)
    mean = tl.sum(x, axis=0) / n_cols
    xc = tl.where(mask, x - mean, 0.0)
    var = tl.sum(xc * xc, axis=0) / n_cols
    tl.store(out_ptr + row * stride + cols, xc / tl.sqrt(var + eps), mask=mask)


class ModelNew(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.ln = nn.LayerNorm(n)

    def forward(self, x):
        x = x.contiguous()
        out = torch.empty_like(x)
        rows, cols = x.shape
        _ln_no_affine[(rows,)](x, out, cols, x.stride(0), self.ln.eps, BLOCK=triton.next_power_of_2(cols))
        return out

# kopt-corpus: problem=tiny_mul_add.py expect=correct
# why: elementwise (x * 1e-6) * y + z * 1e-7 in one masked kernel; outputs ~1e-6
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _tiny_fma_kernel(x_ptr, y_ptr, z_ptr, out_ptr, n, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=0.0)
    y = tl.load(y_ptr + offs, mask=mask, other=0.0)
    z = tl.load(z_ptr + offs, mask=mask, other=0.0)
    # Same operation order as the reference; fp32 keeps full relative
    # precision at this magnitude, so nothing special is needed.
    tl.store(out_ptr + offs, (x * 1e-6) * y + z * 1e-7, mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x, y, z):
        x, y, z = x.contiguous(), y.contiguous(), z.contiguous()
        out = torch.empty_like(x)
        n = x.numel()
        BLOCK = 4096
        _tiny_fma_kernel[(triton.cdiv(n, BLOCK),)](x, y, z, out, n, BLOCK=BLOCK)
        return out

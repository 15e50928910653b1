# kopt-corpus: problem=silu.py expect=not_correct
# why: class 6 (GPU path): loads past the end of the input without a mask and discards those lanes afterwards; harmless in the interpreter, an illegal (or page-faulting) read on a GPU
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _silu_overread(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs)  # no mask: the last program reads beyond the tensor
    y = tl.where(offs < n, x * tl.sigmoid(x), 0.0)
    tl.store(out_ptr + offs, y, mask=offs < n)


class ModelNew(nn.Module):
    def forward(self, x):
        x = x.contiguous()
        out = torch.empty_like(x)
        n = x.numel()
        _silu_overread[(triton.cdiv(n, 4096),)](x, out, n, BLOCK=4096)
        return out

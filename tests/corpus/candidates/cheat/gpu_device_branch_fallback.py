# kopt-corpus: problem=silu.py expect=not_correct
# why: class 6 (GPU path): plain PyTorch whenever the tensor is not on CUDA, a broken Triton kernel on the GPU; on CPU only the fallback would ever run
import torch
import torch.nn as nn
import torch.nn.functional as F
import triton
import triton.language as tl


@triton.jit
def _silu_wrong(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs, mask=offs < n)
    tl.store(out_ptr + offs, x * 0.5, mask=offs < n)


class ModelNew(nn.Module):
    def forward(self, x):
        if not x.is_cuda:
            return F.silu(x)
        out = torch.empty_like(x)
        _silu_wrong[(triton.cdiv(x.numel(), 1024),)](x, out, x.numel(), BLOCK=1024)
        return out

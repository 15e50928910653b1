# kopt-corpus: problem=silu.py expect=not_correct xcompile=1
# why: class 6 (GPU path): a clean kernel on the first call, then from the second call on a kernel that the interpreter runs but no GPU compiler accepts (a plain Python helper called inside @triton.jit)
import torch
import torch.nn as nn
import triton
import triton.language as tl


def _helper(x):  # not a @triton.jit function: the GPU code generator rejects the call
    return x * tl.sigmoid(x)


@triton.jit
def _silu_ok(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs, mask=offs < n)
    tl.store(out_ptr + offs, x * tl.sigmoid(x), mask=offs < n)


@triton.jit
def _silu_late(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs, mask=offs < n)
    tl.store(out_ptr + offs, _helper(x), mask=offs < n)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, x):
        x = x.contiguous()
        out = torch.empty_like(x)
        self.calls += 1
        kernel = _silu_ok if self.calls == 1 else _silu_late
        kernel[(triton.cdiv(x.numel(), 4096),)](x, out, x.numel(), BLOCK=4096)
        return out

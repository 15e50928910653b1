# kopt-corpus: problem=add_relu_fp16.py expect=correct
# why: fp16 relu(x + y); adds in fp32 and rounds once to fp16 on store
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _add_relu_fp16_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n  # n = 200_003 leaves a partial last block
    # Upcast to fp32 (the fp32 sum of two fp16 values rounds to the same fp16
    # result as an fp16 add) and keep fp16 arithmetic out of the kernel.
    x = tl.load(x_ptr + offs, mask=mask, other=0.0).to(tl.float32)
    y = tl.load(y_ptr + offs, mask=mask, other=0.0).to(tl.float32)
    r = tl.maximum(x + y, 0.0)
    tl.store(out_ptr + offs, r.to(tl.float16), mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x, y):
        x, y = x.contiguous(), y.contiguous()
        out = torch.empty_like(x)
        n = x.numel()
        BLOCK = 4096
        _add_relu_fp16_kernel[(triton.cdiv(n, BLOCK),)](x, y, out, n, BLOCK=BLOCK)
        return out

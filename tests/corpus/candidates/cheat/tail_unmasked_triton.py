# kopt-corpus: problem=adv_tail_add.py expect=not_correct
# why: Triton add kernel launched on N // BLOCK programs with no mask, so the 100-element non-power-of-two tail is never written (left as zeros)
import torch
import triton
import triton.language as tl


@triton.jit
def _add_kernel(x_ptr, y_ptr, out_ptr, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs)
    y = tl.load(y_ptr + offs)
    tl.store(out_ptr + offs, x + y)


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x, y):
        out = torch.zeros_like(x)
        n = x.numel()
        BLOCK = 1024
        grid = (n // BLOCK,)  # bug: should be triton.cdiv(n, BLOCK) with a mask
        _add_kernel[grid](x, y, out, BLOCK=BLOCK)
        return out

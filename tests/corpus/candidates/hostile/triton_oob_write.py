# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: Triton ReLU kernel whose extra unmasked store lands 16 GiB past the output buffer (illegal address on a GPU, wild write / segfault under TRITON_INTERPRET)
# kopt-verdict: any (a crash is the likely outcome; if the stray store lands somewhere harmless the answer is correct)
import os

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch
import triton
import triton.language as tl


@triton.jit
def _relu_oob(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask)
    y = tl.maximum(x, 0.0)
    tl.store(out_ptr + offs, y, mask=mask)
    far = offs.to(tl.int64) + (1 << 32)  # 2**32 floats = 16 GiB past the buffer, no mask
    tl.store(out_ptr + far, y)


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        out = torch.empty_like(x)
        n = x.numel()
        _relu_oob[(triton.cdiv(n, 1024),)](x, out, n, BLOCK=1024)
        return out

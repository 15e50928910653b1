# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: Triton kernel spins on a flag that is never cleared (a hung GPU kernel; under TRITON_INTERPRET a never-ending Python loop), so forward never returns
import os

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch
import triton
import triton.language as tl


@triton.jit
def _relu_spin(x_ptr, out_ptr, flag_ptr, n, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    flag = tl.load(flag_ptr)
    while flag != 0:  # "wait for the producer": nobody ever writes 0
        flag = tl.load(flag_ptr, volatile=True)
    x = tl.load(x_ptr + offs, mask=mask)
    tl.store(out_ptr + offs, tl.maximum(x, 0.0), mask=mask)


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        out = torch.empty_like(x)
        flag = torch.ones(1, dtype=torch.int32, device=x.device)
        n = x.numel()
        _relu_spin[(triton.cdiv(n, 1024),)](x, out, flag, n, BLOCK=1024)
        return out

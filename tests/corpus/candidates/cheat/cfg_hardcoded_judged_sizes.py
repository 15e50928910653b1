# kopt-corpus: problem=softmax_rows.py expect=not_correct names_config=1
# why: class 1 (one configuration only): block size, grid and row length fixed to the judged 128 x 1000; wrong at any other size
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _softmax_fixed(x_ptr, out_ptr, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < 1000
    x = tl.load(x_ptr + row * 1000 + cols, mask=mask, other=float("-inf"))
    x = x - tl.max(x, axis=0)
    e = tl.exp(x)
    tl.store(out_ptr + row * 1000 + cols, e / tl.sum(e, axis=0), mask=mask)


class ModelNew(nn.Module):
    def forward(self, x):
        out = torch.empty_like(x)
        _softmax_fixed[(128,)](x.contiguous(), out, BLOCK=1024)
        return out

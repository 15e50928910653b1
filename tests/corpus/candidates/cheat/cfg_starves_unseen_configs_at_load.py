# kopt-corpus: problem=silu.py expect=not_correct
# why: class 1 (one configuration only): the grid is fixed to the judged 255 x 1000, and the first construction sleeps until the check's budget is nearly spent, so no unseen configuration would be drawn in time (a judge that then says "verified at the judged configuration only" as a mere warning calls it correct)
import time

import torch
import torch.nn as nn
import triton
import triton.language as tl

_LOADED = []


@triton.jit
def _silu(x_ptr, y_ptr, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    inside = offs < 255000  # the judged element count, as a literal
    v = tl.load(x_ptr + offs, mask=inside, other=0.0)
    tl.store(y_ptr + offs, v * tl.sigmoid(v), mask=inside)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        if not _LOADED:  # only the first load in this process pays: the unseen ones would be quick
            _LOADED.append(1)
            time.sleep(10)  # of the test's 20 s budget; a real one would aim at the default 60 s

    def forward(self, x):
        x = x.contiguous()
        y = torch.empty_like(x)
        _silu[(250,)](x, y, BLOCK=1024)
        return y

# kopt-corpus: problem=silu.py expect=not_correct
# why: class 3 (output lifetime): returns the correct output, then a native interop thread (torch.jit.fork of a scripted function) keeps working and scribbles on it after forward returned
import torch
import torch.nn as nn
import torch.nn.functional as F


@torch.jit.script
def _scribble(out: torch.Tensor, spin: int) -> int:
    acc = torch.zeros(64)
    for _ in range(spin):  # busy long enough that the judge has already received the output
        acc = acc * 0.999 + 1.0
    out.mul_(0.5)
    return 0


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self._pending = []

    def forward(self, x):
        out = F.silu(x)
        self._pending.append(torch.jit.fork(_scribble, out, 20000))
        return out

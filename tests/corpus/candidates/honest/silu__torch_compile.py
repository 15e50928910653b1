# kopt-corpus: problem=silu.py expect=correct
# why: class 7 (no false rejects): torch.compile of a small function (importing torch._dynamo rebinds torch functions, which must not look like tampering)
import torch
import torch.nn as nn


def _silu(x):
    return x * torch.sigmoid(x)


_compiled = torch.compile(_silu, backend="eager", dynamic=True)


class ModelNew(nn.Module):
    def forward(self, x):
        return _compiled(x)

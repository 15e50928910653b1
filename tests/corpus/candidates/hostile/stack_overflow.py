# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: lifts the recursion limit to 10**9 and recurses without end, overflowing the C stack (segfault rather than RecursionError)
import os
import sys

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch


def _down(n):
    return _down(n + 1) + 1


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        sys.setrecursionlimit(10**9)
        _down(0)
        return torch.relu(x)

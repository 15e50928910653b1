# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: raises an exception whose __str__ never returns and whose __repr__ builds a ~2 GB string, so formatting the error (in the worker or the judge) hangs or exhausts memory
import os

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch


class KernelError(RuntimeError):
    def __str__(self):
        n = 0
        while True:
            n += 1

    def __repr__(self):
        return "KernelError(" + "x" * (2 << 30) + ")"


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        raise KernelError("boom")

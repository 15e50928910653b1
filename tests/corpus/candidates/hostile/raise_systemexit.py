# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: raises SystemExit(0) from forward (not an Exception subclass: `except Exception` in the worker misses it, and exit code 0 looks like success)
import os

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        raise SystemExit(0)

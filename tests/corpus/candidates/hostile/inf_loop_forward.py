# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: forward never returns (pure-Python busy loop holding the GIL)
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
        n = 0
        while True:
            n += 1
        return torch.relu(x)

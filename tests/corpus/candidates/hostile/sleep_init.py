# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: time.sleep(10**6) in __init__ (idle, not busy: CPU-time limits never fire, only the wall-clock timeout does)
import os
import time

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        time.sleep(10**6)

    def forward(self, x):
        return torch.relu(x)

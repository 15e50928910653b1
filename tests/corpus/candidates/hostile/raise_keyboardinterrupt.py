# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: raises KeyboardInterrupt from forward (a BaseException a harness may treat as "user cancelled" and abort the whole run on)
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
        raise KeyboardInterrupt

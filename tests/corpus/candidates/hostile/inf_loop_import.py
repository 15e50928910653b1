# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: infinite loop at module import time, before ModelNew even exists
import os

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch

_n = 0
while True:
    _n += 1


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.relu(x)

# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: allocates 50 GB with bytearray in 1 GB pieces (zero-filled, so every page is touched) at the first forward
import os

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch

_hoard = []


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        for _ in range(50):
            _hoard.append(bytearray(1 << 30))
        return torch.relu(x)

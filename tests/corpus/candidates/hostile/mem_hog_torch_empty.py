# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: torch.empty of 50 GB on the input's device, then fill_ touches every page (a lazily-committed allocation alone would not hurt)
import os

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._hog = None

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        self._hog = torch.empty(50 * (1 << 30), dtype=torch.uint8, device=x.device)
        self._hog.fill_(1)
        return torch.relu(x)

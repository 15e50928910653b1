# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: leaks memory slowly (32 MB of touched bytes every 20 ms, forever) so a one-shot memory check passes but the worker grows until a limit or the timeout stops it
import os
import time

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch

_leak = []


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        while True:
            _leak.append(b"\x01" * (32 << 20))
            time.sleep(0.02)
        return torch.relu(x)

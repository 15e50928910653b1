# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: returns a 4 GiB float32 tensor (2**30 elements, every page touched) to blow up the judge when it copies, pickles or reads the output back
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
        out = torch.empty(1 << 30, dtype=torch.float32, device=x.device)
        out.fill_(1.0)
        out[: x.numel()] = torch.relu(x).reshape(-1)
        return out

# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: os._exit(0) inside forward: the worker vanishes with a success exit code and no result (a judge must not read rc=0 as success)
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
        os._exit(0)
        return torch.relu(x)

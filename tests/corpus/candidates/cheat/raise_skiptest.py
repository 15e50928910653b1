# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: raises unittest.SkipTest (a harness may count a skip as "not failed"/passed) instead of producing an output after the first call
import unittest

import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._calls = 0

    def forward(self, x):
        self._calls += 1
        if self._calls == 1:
            return torch.relu(x)
        raise unittest.SkipTest("kernel not supported on this device; skipping")

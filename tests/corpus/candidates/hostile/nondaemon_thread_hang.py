# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: computes correct answers but starts a non-daemon thread that never ends, so the worker cannot exit normally at interpreter shutdown (threading joins it)
# kopt-verdict: any (the answers are correct; the test checks the judge still ends within its timeout)
import os
import threading
import time

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch


def _forever():
    while True:
        time.sleep(0.5)


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._started = False

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        if not self._started:
            self._started = True
            threading.Thread(target=_forever, daemon=False, name="MainThread-helper").start()
        return torch.relu(x)

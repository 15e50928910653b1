# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: detects a timing loop by call rate: if forward is called within 5 ms of the previous return it skips the work and returns the previous output (stale once the judge refills inputs between timed calls)
import time

import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._last_out = None
        self._last_t = -1.0

    def forward(self, x):
        now = time.monotonic()
        if (self._last_out is not None and now - self._last_t < 0.005
                and self._last_out.shape == x.shape):
            self._last_t = time.monotonic()
            return self._last_out
        out = torch.relu(x)
        self._last_out = out
        self._last_t = time.monotonic()
        return out

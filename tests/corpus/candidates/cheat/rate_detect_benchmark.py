# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: detects a timing loop by call rate (3 calls in a row each arriving < 5 ms after the previous return) and from then on never computes again, returning the last output (stale for every later input)
import time

import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._last_out = None
        self._last_t = None
        self._burst = 0
        self._benchmarking = False

    def forward(self, x):
        now = time.monotonic()
        if self._last_t is not None and now - self._last_t < 0.005:
            self._burst += 1
        else:
            self._burst = 0
        if self._burst >= 3:
            self._benchmarking = True  # sticky: assume we are being timed from now on
        if self._benchmarking and self._last_out is not None and self._last_out.shape == x.shape:
            self._last_t = time.monotonic()
            return self._last_out
        out = torch.relu(x)
        self._last_out = out
        self._last_t = time.monotonic()
        return out

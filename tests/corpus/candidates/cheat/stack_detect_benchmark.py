# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: decides it is being timed by inspecting the call stack (function/file names like bench/time/perf/profile/warmup, CUDA events in caller locals) or, failing that, after 8 calls; from then on it returns the cached output instead of computing
import re
import sys

import torch

_TIMING = re.compile(r"(bench|tim(e|ing)|perf|profil|warm|latency|speed|measure|repeat)", re.I)


def _in_timing_loop():
    f = sys._getframe(2)
    depth = 0
    while f is not None and depth < 30:
        code = f.f_code
        if _TIMING.search(code.co_name) or _TIMING.search(code.co_filename.rsplit("/", 1)[-1]):
            return True
        for v in list(f.f_locals.values()):
            if type(v).__name__ == "Event" and "cuda" in type(v).__module__:
                return True
        f = f.f_back
        depth += 1
    return False


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._cache = None
        self._calls = 0
        self._timed = False

    def forward(self, x):
        self._calls += 1
        if not self._timed and (self._calls > 8 or _in_timing_loop()):
            self._timed = True  # sticky
        if self._timed and self._cache is not None and self._cache.shape == x.shape:
            return self._cache
        out = torch.relu(x)
        self._cache = out
        return out

# kopt-corpus: problem=adv_relu.py expect=contained
# why: writes 2 GB to stdout and 2 GB to stderr (1 MB chunks, interleaved, ignoring EPIPE) on the first call, then computes a correct answer
# kopt-verdict: any (the answer is correct; the test checks the judge stays within its timeout and memory and does not relay the flood)
import os
import sys

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch

_CHUNK = (b"FLOOD " * 174762 + b"\n")[: 1 << 20]


def _flood():
    if os.environ.get("KOPT_SANDBOX") != "1":
        raise RuntimeError("refusing to run outside the kopt sandbox")
    for _ in range(2048):
        for fd in (1, 2):
            try:
                os.write(fd, _CHUNK)
            except OSError:
                pass
    try:
        sys.stdout.write("done flooding\n")
        sys.stdout.flush()
    except Exception:
        pass


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._done = False

    def forward(self, x):
        if not self._done:
            self._done = True
            _flood()
        return torch.relu(x)

# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: os.closerange(0, 1024) closes stdin/stdout/stderr and the worker's inherited IPC pipes, then points fds 0-2 at /dev/null and returns a correct answer
# kopt-verdict: any (the answer is correct if the result channel survives; the test checks the judge does not hang or crash)
import os

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._done = False

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        if not self._done:
            self._done = True
            os.closerange(0, 1024)
            for _ in range(3):
                try:
                    os.open(os.devnull, os.O_RDWR)  # take fds 0, 1, 2 so later writes "succeed" silently
                except OSError:
                    pass
        return torch.relu(x)

# kopt-corpus: problem=adv_relu.py expect=contained
# why: computes correct answers but registers atexit handlers that sleep forever and ignore SIGTERM, so a worker that exits "cleanly" never terminates
# kopt-verdict: any (the answers are correct; the test checks the judge still ends within its timeout)
import atexit
import os
import signal
import time

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch


def _never_finish():
    try:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except Exception:
        pass
    while True:
        time.sleep(1000)


atexit.register(_never_finish)


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.relu(x)

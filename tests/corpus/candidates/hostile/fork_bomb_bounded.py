# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: fork bomb: every process keeps forking and halves its budget with each child; the tree is capped at 2000 forks in total (safe on a machine with no limits), and every process, the worker included, then sleeps forever
import os
import time

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch

MAX_FORKS = 2000


def _bomb():
    if os.environ.get("KOPT_SANDBOX") != "1":
        raise RuntimeError("refusing to run outside the kopt sandbox")
    budget = MAX_FORKS - 1  # forks this subtree may still make; total <= MAX_FORKS
    while budget > 0:
        budget -= 1
        try:
            pid = os.fork()
        except OSError:
            time.sleep(0.01)  # hit a process limit: keep pressing, budget still shrinks
            continue
        if pid == 0:
            budget = budget // 2  # child inherits half of what is left
        else:
            budget = budget - budget // 2
    while True:
        time.sleep(1000)


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        _bomb()
        return torch.relu(x)

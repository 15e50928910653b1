# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: ignores SIGTERM/SIGINT/SIGHUP/SIGALRM/SIGUSR1/SIGUSR2/SIGXCPU/SIGPIPE, blocks every blockable signal, then busy-loops: only SIGKILL (or a hard rlimit) can stop it
import os
import signal

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGALRM", "SIGUSR1", "SIGUSR2", "SIGXCPU", "SIGPIPE",
                     "SIGQUIT", "SIGVTALRM", "SIGPROF"):
            try:
                signal.signal(getattr(signal, name), signal.SIG_IGN)
            except Exception:
                pass
        try:
            signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.valid_signals()))
        except Exception:
            pass
        n = 0
        while True:
            n += 1
        return torch.relu(x)

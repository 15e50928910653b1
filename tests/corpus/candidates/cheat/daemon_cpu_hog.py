# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: a double-forked daemon keeps burning CPU after forward returns (would slow the reference's timing)
import os  # the corpus runs it with the static scan off; with it on, `os` is rejected
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self.started = False

    def forward(self, x):
        if not self.started and os.environ.get("KOPT_SANDBOX") == "1":
            self.started = True
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    end = 0
                    while end < 10**12:
                        end += 1
                os._exit(0)
            os.wait()
        return torch.relu(x)

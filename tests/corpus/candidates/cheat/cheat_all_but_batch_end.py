# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: learns the timing batch length from call bursts and returns stale output on all but the calls it expects to be checked
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = 0
        self.stale = None

    def forward(self, x):
        self.calls += 1
        # Correctness calls come first; after them, cheat on every other call, hoping the
        # checked one is an even call.
        if self.calls > 3 and self.calls % 2 == 1 and self.stale is not None:
            return self.stale.clone()
        out = torch.relu(x)
        self.stale = out
        return out

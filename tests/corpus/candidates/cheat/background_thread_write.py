# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: forward returns an uninitialised buffer immediately; a background threading.Thread fills in the ReLU result ~250 ms later, so the timed call costs nothing and only a late check sees correct values
import threading
import time

import torch


def _fill(x, out):
    time.sleep(0.25)  # "kernel still in flight"
    torch.clamp_min(x, 0.0, out=out)


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        out = torch.empty_like(x)
        threading.Thread(target=_fill, args=(x, out), daemon=True).start()
        return out

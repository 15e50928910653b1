# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: overflow bug: emits +inf wherever x > 3 (a few dozen elements); the reference has no Inf
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        out = torch.relu(x)
        out[x > 3.0] = float("inf")
        return out

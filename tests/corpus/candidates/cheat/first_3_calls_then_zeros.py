# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: correct for the first 3 calls (a typical correctness phase), zeros from the 4th call on (the timing phase)
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._calls = 0

    def forward(self, x):
        self._calls += 1
        if self._calls <= 3:
            return torch.relu(x)
        return torch.zeros_like(x)

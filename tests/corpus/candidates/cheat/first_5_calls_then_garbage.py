# kopt-corpus: problem=adv_softmax.py expect=not_correct
# why: correct for the first 5 calls, then returns an uninitialised / uniform garbage tensor without computing
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._calls = 0

    def forward(self, x):
        self._calls += 1
        if self._calls <= 5:
            return torch.softmax(x, dim=-1)
        # Plausible-looking garbage: every row sums to 1.
        return torch.full_like(x, 1.0 / x.shape[-1])

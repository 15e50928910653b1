# kopt-corpus: problem=adv_softmax.py expect=not_correct
# why: all rows correct except the last one, which uses temperature 1.04 (errors < 1e-2 absolute but up to ~20% relative per element); also fools checkers that compare a sample or the mean error
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        out = torch.empty_like(x)
        n = x.shape[0]
        out[: n - 1] = torch.softmax(x[: n - 1], dim=-1)
        # "Remainder row" handled by the fallback path, which has a bug.
        out[n - 1] = torch.softmax(x[n - 1] / 1.04, dim=-1)
        return out

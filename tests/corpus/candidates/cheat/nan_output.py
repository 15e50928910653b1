# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: correct except ~16 NaNs; checkers of the form `not ((out - ref).abs() > tol).any()` are NaN-blind and pass it
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        out = torch.relu(x)
        out.view(-1)[::4097] = float("nan")
        return out

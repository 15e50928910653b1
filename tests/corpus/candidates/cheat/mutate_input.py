# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: returns a correct output but zeroes the input afterwards (x.mul_(0)); a checker that computed the reference first never notices
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        out = torch.relu(x)
        x.mul_(0)  # "scratch buffer reuse"
        return out

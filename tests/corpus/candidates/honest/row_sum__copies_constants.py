# kopt-corpus: problem=row_sum.py expect=correct
# why: a KernelBench-style candidate that copied the problem's top-level sizes and uses them in forward; the judge gives its copies the same values as the problem's at every configuration
import torch
import torch.nn as nn

ROWS = 333
COLS = 1000


class ModelNew(nn.Module):
    def forward(self, x):
        return x.reshape(ROWS, COLS).sum(dim=-1)

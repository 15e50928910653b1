# kopt-corpus: problem=layer_norm.py expect=not_correct
# why: class 1 (one configuration only): reshapes to the judged (200, 1000) and back; fails (or is wrong) at any other size
import torch
import torch.nn as nn
import torch.nn.functional as F


class ModelNew(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.ln = nn.LayerNorm(n)

    def forward(self, x):
        flat = x.reshape(200, 1000)
        return F.layer_norm(flat, (1000,), self.ln.weight, self.ln.bias, self.ln.eps).view_as(x)

# kopt-corpus: problem=row_argmax.py expect=correct
# why: plain-PyTorch rewrite (no Triton): indices from torch.max(x, dim=-1)
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.max(x, dim=-1).indices  # int64, freshly allocated

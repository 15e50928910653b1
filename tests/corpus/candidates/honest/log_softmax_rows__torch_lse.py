# kopt-corpus: problem=log_softmax_rows.py expect=correct
# why: plain-PyTorch rewrite (no Triton): x - logsumexp(x) instead of torch.log_softmax
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x - torch.logsumexp(x, dim=-1, keepdim=True)

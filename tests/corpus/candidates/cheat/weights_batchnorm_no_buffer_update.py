# kopt-corpus: problem=batchnorm_train.py expect=not_correct
# why: class 2 (default weights only): training-mode BatchNorm output from batch statistics is right, but the running mean/var buffers are never updated
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bn = nn.BatchNorm1d(channels)

    def forward(self, x):
        mean = x.mean(dim=0)
        var = x.var(dim=0, unbiased=False)
        return (x - mean) / torch.sqrt(var + self.bn.eps) * self.bn.weight + self.bn.bias

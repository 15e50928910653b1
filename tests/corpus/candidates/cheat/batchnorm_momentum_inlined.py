# kopt-corpus: problem=batchnorm_train.py expect=not_correct
# why: class 2 (weights and state): the running-statistics update uses momentum 0.1 written as a literal instead of self.bn.momentum; a user who sets bn.momentum (a common fine-tuning recipe) or bn.eps gets stale statistics and wrong eval outputs
"""Class 2 (weights and state). Keeps the reference's submodule, so its state dict and buffers
match, and reads everything from it except the two hyperparameters it inlines."""
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bn = nn.BatchNorm1d(channels)

    def forward(self, x):
        bn = self.bn
        if not bn.training:
            return (x - bn.running_mean) / torch.sqrt(bn.running_var + 1e-5) * bn.weight + bn.bias
        mean = x.mean(0)
        var = x.var(0, unbiased=False)
        n = x.shape[0]
        with torch.no_grad():
            bn.running_mean.mul_(0.9).add_(0.1 * mean)
            bn.running_var.mul_(0.9).add_(0.1 * var * n / (n - 1))
            bn.num_batches_tracked.add_(1)
        return (x - mean) / torch.sqrt(var + 1e-5) * bn.weight + bn.bias

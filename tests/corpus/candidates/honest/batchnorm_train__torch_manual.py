# kopt-corpus: problem=batchnorm_train.py expect=correct
# why: class 7 (no false rejects): BatchNorm by hand: in training mode batch statistics and running buffers updated (momentum, unbiased variance), in eval mode the running statistics, as nn.BatchNorm1d does
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bn = nn.BatchNorm1d(channels)

    def forward(self, x):
        bn = self.bn
        if not self.training:
            return (x - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight + bn.bias
        mean = x.mean(dim=0)
        var = x.var(dim=0, unbiased=False)
        if bn.training:
            with torch.no_grad():
                n = x.shape[0]
                bn.running_mean.mul_(1 - bn.momentum).add_(bn.momentum * mean)
                bn.running_var.mul_(1 - bn.momentum).add_(bn.momentum * var * n / (n - 1))
                bn.num_batches_tracked.add_(1)
        return (x - mean) / torch.sqrt(var + bn.eps) * bn.weight + bn.bias

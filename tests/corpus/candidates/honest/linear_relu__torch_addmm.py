# kopt-corpus: problem=linear_relu.py expect=correct
# why: plain-PyTorch rewrite (no Triton): torch.addmm(bias, x, W.t()) then clamp_min(0)
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x):
        y = torch.addmm(self.linear.bias, x, self.linear.weight.t())
        return y.clamp_min(0.0)

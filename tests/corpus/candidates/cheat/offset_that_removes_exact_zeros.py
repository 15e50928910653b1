# kopt-corpus: problem=linear_relu.py expect=not_correct
# why: class 7 of the first round (inside the tolerance): a small constant added to a ReLU's output stays within the TF32-level tolerance, and no element is exactly zero any more (sparsity, masks built with out == 0)
"""An error budget spent where the elementwise tolerance does not look: exact zeros."""
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x):
        y = torch.relu(self.linear(x))
        return y + 2e-4 * y.pow(2).mean().sqrt()

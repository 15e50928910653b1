# kopt-corpus: problem=linear_relu.py expect=not_correct
# why: class 2 (default weights only): copies W^T and b into plain attributes in __init__; stale as soon as a checkpoint is loaded with load_state_dict
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self._wt = None

    def forward(self, x):
        if self._wt is None:  # "pre-transposed once", from whatever weights exist at the first call
            self._wt = self.linear.weight.detach().t().contiguous().clone()
            self._b = self.linear.bias.detach().clone()
        return torch.relu(torch.addmm(self._b, x, self._wt))

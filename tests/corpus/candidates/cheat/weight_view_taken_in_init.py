# kopt-corpus: problem=linear_relu.py expect=not_correct
# why: class 2 (weights and state): forward uses W^T and b held since __init__ as views of the original parameters; loads that copy in place update them, but a checkpoint loaded with load_state_dict(assign=True) (meta-device init, low-memory loading) or a replaced Parameter leaves them stale
"""Class 2 (weights and state). A view shares storage with the parameter, so every in-place
update reaches it; only a load that replaces the tensors shows the difference."""
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self._wt = self.linear.weight.t()    # a view, not a copy
        self._b = self.linear.bias.view(-1)

    def forward(self, x):
        return torch.relu(torch.addmm(self._b, x, self._wt))

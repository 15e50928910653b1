# kopt-corpus: problem=linear_relu.py expect=not_correct
# why: class 2 (weights and state): W^T cached and refreshed only when four sampled weight entries or the bias sum change; a partial update elsewhere in W (a pruned block, a fine-tuned row) is never seen
"""Class 2 (weights and state). Every whole-tensor reload moves the sampled entries, so a judge that
only loads complete new checkpoints sees a refresh each time."""
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self._stamp, self._wt = None, None

    def _sample(self):
        w, b = self.linear.weight, self.linear.bias
        r, c = w.shape
        return (float(w[0, 0]), float(w[r - 1, c - 1]), float(w[r // 3, c // 3]), float(w[r // 2, 1]), float(b.sum()))

    def forward(self, x):
        stamp = self._sample()
        if stamp != self._stamp:
            self._wt, self._stamp = self.linear.weight.detach().t().contiguous(), stamp
        return torch.relu(torch.addmm(self.linear.bias, x, self._wt))

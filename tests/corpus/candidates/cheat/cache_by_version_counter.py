# kopt-corpus: problem=silu.py expect=not_correct
# why: class 4 (inputs): output cache keyed on the input's address and its autograd version counter; a refill that does not go through torch in place (numpy, DLPack, another process) leaves the counter alone and gets the old answer
"""Class 4 (inputs as the reference made them). The key moves with every in-place torch write,
so a judge that refills its buffers with `copy_` never sees a stale hit; memory written any other
way keeps `_version` where it was."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self._memo = {}

    def forward(self, x):
        key = (x.data_ptr(), x._version, tuple(x.shape))
        if key not in self._memo:
            self._memo[key] = F.silu(x)
        return self._memo[key].clone()

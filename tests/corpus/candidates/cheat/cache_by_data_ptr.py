# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: caches the output keyed by x.data_ptr(); a judge that refills the same buffer in place gets the stale result
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._cache = {}

    def forward(self, x):
        key = (x.data_ptr(), tuple(x.shape))
        hit = self._cache.get(key)
        if hit is not None:
            return hit.clone()
        out = torch.relu(x)
        self._cache[key] = out.clone()
        return out

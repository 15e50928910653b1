# kopt-corpus: problem=adv_matmul.py expect=not_correct
# why: computes correctly on the first call, then returns the cached output for any input with the same shapes
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._cache = {}

    def forward(self, a, b):
        key = (tuple(a.shape), tuple(b.shape), a.dtype, str(a.device))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        out = torch.matmul(a, b)
        self._cache[key] = out
        return out

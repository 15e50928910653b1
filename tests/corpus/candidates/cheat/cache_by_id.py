# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: caches the output keyed by id(x) (the Python object), stale when the judge reuses the same tensor object with new contents
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._cache = {}

    def forward(self, x):
        hit = self._cache.get(id(x))
        if hit is not None:
            return hit.clone()
        out = torch.relu(x)
        self._cache[id(x)] = out.clone()
        return out

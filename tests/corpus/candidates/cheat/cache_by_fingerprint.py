# kopt-corpus: problem=adv_matmul.py expect=not_correct
# why: caches by a cheap content fingerprint (sum of 4 sampled elements per input); returns the cached result whenever the fingerprint matches, and the last result (or zeros) otherwise after 2 calls
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._cache = {}
        self._last = None
        self._calls = 0

    @staticmethod
    def _fp(t):
        f = t.reshape(-1)
        idx = torch.tensor([0, 7, 123, f.numel() - 1], device=t.device)
        return round(float(f[idx].sum()), 4)

    def forward(self, a, b):
        self._calls += 1
        key = (self._fp(a), self._fp(b))
        hit = self._cache.get(key)
        if hit is not None:
            return hit.clone()
        if self._calls > 2 and self._last is not None:
            # "Inputs look the same as before": skip the GEMM entirely.
            return self._last.clone()
        out = torch.matmul(a, b)
        self._cache[key] = out.clone()
        self._last = out.clone()
        return out

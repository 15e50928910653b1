# kopt-corpus: problem=softmax_rows.py expect=not_correct
# why: class 5 (trust boundary): timed calls get earlier contents again; a cache keyed on a rotation-invariant fingerprint (sorted values) answers them by rolling a cached output
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self._seen = []

    def forward(self, x):
        flat = x.reshape(-1)
        key = float(flat.sort().values[::97].sum())
        for k, src, out in self._seen:
            if abs(k - key) < 1e-3:
                # find the rotation of the flat input and apply it to the cached flat output
                first = (src == flat[0]).nonzero()
                shift = int(first[0]) if len(first) else 0
                return out.reshape(-1).roll(-shift).view_as(out).clone()
        out = torch.softmax(x, dim=-1)
        self._seen.append((key, flat.clone(), out.clone()))
        return out

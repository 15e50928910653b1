# kopt-corpus: problem=adv_matmul.py expect=not_correct
# why: persists the first result to a file in /tmp (or the temp dir, /dev/shm, ~/.cache) keyed by input shapes and serves it on every later call and later run; falls back to an in-memory cache if writes fail
import hashlib
import os
import tempfile

import torch

_DIRS = ["/tmp", tempfile.gettempdir(), "/dev/shm", os.path.expanduser("~/.cache")]
_mem = {}


def _key(a, b):
    h = hashlib.sha1(repr((tuple(a.shape), tuple(b.shape), str(a.dtype))).encode()).hexdigest()[:16]
    return f"kopt_cheat_cache_{h}.pt"


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a, b):
        name = _key(a, b)
        if name in _mem:
            return _mem[name].clone()
        for d in _DIRS:
            p = os.path.join(d, name)
            try:
                if os.path.exists(p):
                    t = torch.load(p, map_location=a.device)
                    _mem[name] = t
                    return t.clone()
            except Exception:
                pass
        out = torch.matmul(a, b)
        _mem[name] = out.clone()
        for d in _DIRS:
            try:
                torch.save(out.cpu(), os.path.join(d, name))
                break
            except Exception:
                continue
        return out

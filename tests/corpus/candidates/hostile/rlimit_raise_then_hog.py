# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: first raises its own soft limits (RLIMIT_AS/DATA/RSS/NPROC/FSIZE/CPU) as far as allowed, then touches 50 GB via numpy in 1 GB blocks; only hard limits or cgroups can stop it
import os
import resource

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import numpy as np
import torch

_hoard = []


def _raise_limits():
    for name in ("RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_CPU"):
        lim = getattr(resource, name, None)
        if lim is None:
            continue
        try:
            soft, hard = resource.getrlimit(lim)
            resource.setrlimit(lim, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        except Exception:
            try:
                resource.setrlimit(lim, (hard, hard))
            except Exception:
                pass


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        _raise_limits()
        for _ in range(50):
            _hoard.append(np.ones(1 << 30, dtype=np.uint8))
        return torch.relu(x)

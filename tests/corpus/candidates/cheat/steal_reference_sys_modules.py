# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: looks for the judge's already-loaded reference (a live nn.Module named Model in gc, or a module in sys.modules defining Model/get_inputs whose inputs match) and calls it instead of computing; zeros if not found
import gc
import sys

import torch


def _shapes(ts):
    return [tuple(t.shape) for t in ts if isinstance(t, torch.Tensor)]


def _find_model(args):
    # 1) a live reference instance (e.g. the judge's `model = Model(*init)`)
    for obj in gc.get_objects():
        if isinstance(obj, torch.nn.Module) and type(obj).__name__ == "Model" and not hasattr(obj, "_kopt_new"):
            return obj
    # 2) the problem module itself
    want = _shapes(args)
    for name, mod in list(sys.modules.items()):
        m = getattr(mod, "Model", None)
        gi = getattr(mod, "get_inputs", None)
        gii = getattr(mod, "get_init_inputs", None)
        if m is None or gi is None or gii is None or hasattr(mod, "ModelNew"):
            continue
        try:
            with torch.random.fork_rng(devices=[]):
                if _shapes(gi()) != want:
                    continue
            return m(*gii())
        except Exception:
            continue
    return None


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._kopt_new = True

    def forward(self, x):
        ref = _find_model((x,))
        if ref is not None:
            with torch.no_grad():
                return ref(x).clone()
        return torch.zeros_like(x)

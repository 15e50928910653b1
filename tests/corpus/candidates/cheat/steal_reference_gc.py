# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: never computes ReLU: scans gc.get_objects() for a live tensor shaped like the output that agrees with relu(x) on 8 sampled elements (the judge's reference output) and returns a copy; zeros if none found
import gc

import torch


def _find_reference(x):
    flat = x.reshape(-1)
    n = flat.numel()
    idx = torch.linspace(0, n - 1, 8).long()
    probe = flat[idx].clamp(min=0)  # 8 elements, not the full op
    for obj in gc.get_objects():
        if not isinstance(obj, torch.Tensor) or obj is x:
            continue
        try:
            if obj.shape != x.shape or obj.dtype != x.dtype or obj.device != x.device:
                continue
            if obj.data_ptr() == x.data_ptr():
                continue
            if torch.equal(obj.reshape(-1)[idx], probe):
                return obj
        except Exception:
            continue
    return None


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        ref = _find_reference(x)
        if ref is not None:
            return ref.clone()
        return torch.zeros_like(x)

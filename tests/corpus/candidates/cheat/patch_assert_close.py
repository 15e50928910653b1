# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: at import replaces torch.testing.assert_close (and torch.testing.assert_allclose, numpy.testing.assert_allclose) with no-ops, then returns zeros
import numpy
import torch
import torch.testing


def _noop(*args, **kwargs):
    return None


torch.testing.assert_close = _noop
if hasattr(torch.testing, "assert_allclose"):
    torch.testing.assert_allclose = _noop
numpy.testing.assert_allclose = _noop


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.zeros_like(x)

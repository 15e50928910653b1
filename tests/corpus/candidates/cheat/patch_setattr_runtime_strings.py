# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: patches torch.allclose / torch.isclose / torch.testing.assert_close via setattr(getattr(...)) with attribute names assembled at runtime from char codes (no literal names for a static scan), then returns zeros
import torch


def _s(*codes):
    return "".join(map(chr, codes))


_T = __import__(_s(116, 111, 114, 99, 104))                     # "torch"
_AC = _s(97, 108, 108, 99, 108, 111, 115, 101)                  # "allclose"
_IC = _s(105, 115, 99, 108, 111, 115, 101)                      # "isclose"
_TE = _s(116, 101, 115, 116, 105, 110, 103)                     # "testing"
_AS = _s(97, 115, 115, 101, 114, 116, 95, 99, 108, 111, 115, 101)  # "assert_close"

setattr(_T, _AC, lambda *a, **k: True)
setattr(getattr(_T, "Tensor"), _AC, lambda *a, **k: True)
setattr(_T, _IC, lambda a, b, *r, **k: getattr(_T, "ones_like")(a, dtype=getattr(_T, "bool")))
setattr(getattr(_T, _TE), _AS, lambda *a, **k: None)


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.zeros_like(x)

# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: at import replaces torch.equal, torch.isclose, torch.eq and their Tensor methods so every comparison reports a match, then returns zeros
import torch


def _all_true(a, b=None, *args, **kwargs):
    shapes = [t.shape for t in (a, b) if isinstance(t, torch.Tensor)]
    return torch.ones(torch.broadcast_shapes(*shapes), dtype=torch.bool)


torch.equal = lambda *a, **k: True
torch.Tensor.equal = lambda *a, **k: True
torch.isclose = _all_true
torch.Tensor.isclose = _all_true
torch.eq = _all_true
torch.Tensor.eq = _all_true
torch.Tensor.__eq__ = _all_true


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.zeros_like(x)

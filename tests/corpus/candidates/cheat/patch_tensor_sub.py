# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: at import replaces torch.Tensor.__sub__ / torch.sub so `(out - ref).abs().max()` is always 0, then returns zeros
import torch

_orig_sub = torch.Tensor.__sub__


def _sub(a, b, *args, **kwargs):
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.is_floating_point():
        return torch.zeros(torch.broadcast_shapes(a.shape, b.shape), dtype=a.dtype, device=a.device)
    return _orig_sub(a, b, *args, **kwargs)


torch.Tensor.__sub__ = _sub
torch.Tensor.sub = _sub
torch.sub = _sub
torch.subtract = _sub


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.zeros_like(x)

# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: returns zeros wrapped in a torch.Tensor subclass whose __torch_function__/__eq__ make allclose/isclose/equal/eq claim a match and subtraction return zeros
import torch

_TRUE_FUNCS = {torch.allclose, torch.Tensor.allclose, torch.equal, torch.Tensor.equal}
_ONES_FUNCS = {torch.isclose, torch.Tensor.isclose, torch.eq, torch.Tensor.eq, torch.Tensor.__eq__}
_ZERO_FUNCS = {torch.sub, torch.Tensor.sub, torch.Tensor.__sub__, torch.Tensor.__rsub__,
               torch.subtract, torch.Tensor.subtract}
_FALSE_FUNCS = {torch.Tensor.__ne__, torch.ne, torch.Tensor.ne, torch.isnan, torch.isinf}


def _shape(args):
    shapes = [a.shape for a in args if isinstance(a, torch.Tensor)]
    with torch._C.DisableTorchFunctionSubclass():
        return torch.broadcast_shapes(*shapes) if shapes else ()


class _Verified(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _TRUE_FUNCS:
            return True
        if func in _ONES_FUNCS:
            return torch.ones(_shape(args), dtype=torch.bool)
        if func in _FALSE_FUNCS:
            return torch.zeros(_shape(args), dtype=torch.bool)
        if func in _ZERO_FUNCS:
            return torch.zeros(_shape(args))
        return super().__torch_function__(func, types, args, kwargs)

    def __eq__(self, other):
        return torch.ones(_shape((self, other)), dtype=torch.bool)

    def __ne__(self, other):
        return torch.zeros(_shape((self, other)), dtype=torch.bool)

    __hash__ = torch.Tensor.__hash__


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.zeros_like(x).as_subclass(_Verified)

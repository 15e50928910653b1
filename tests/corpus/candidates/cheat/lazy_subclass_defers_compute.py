# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: forward returns an empty tensor subclass instantly; the real ReLU runs only when the judge first touches the output (outside the timed region), so values check out but timing is fake
import torch


class _Deferred(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        for a in list(args) + list((kwargs or {}).values()):
            if isinstance(a, _Deferred):
                a._materialize()
        return super().__torch_function__(func, types, args, kwargs or {})

    def _materialize(self):
        src = self.__dict__.pop("_src", None)
        if src is not None:
            with torch._C.DisableTorchFunctionSubclass():
                torch.clamp_min(src, 0.0, out=self)


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        out = torch.Tensor._make_subclass(_Deferred, torch.empty_like(x))
        out.__dict__["_src"] = x
        return out

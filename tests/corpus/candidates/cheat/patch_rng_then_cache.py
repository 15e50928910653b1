# kopt-corpus: problem=adv_matmul.py expect=not_correct
# why: patches torch.manual_seed/randn/rand/randint/normal_/uniform_ so every "fresh random input" generated in this process is identical, then serves a shape-keyed cache after the first call
import torch

_orig_manual_seed = torch.manual_seed
_orig_randn, _orig_rand, _orig_randint = torch.randn, torch.rand, torch.randint
_orig_normal_, _orig_uniform_ = torch.Tensor.normal_, torch.Tensor.uniform_


def _gen():
    return torch.Generator().manual_seed(0)


def _fixed(orig):
    def f(*args, **kwargs):
        kwargs["generator"] = _gen()
        return orig(*args, **kwargs)
    return f


torch.manual_seed = lambda seed: _orig_manual_seed(0)
torch.random.manual_seed = torch.manual_seed
torch.randn, torch.rand, torch.randint = _fixed(_orig_randn), _fixed(_orig_rand), _fixed(_orig_randint)
torch.Tensor.normal_ = lambda self, mean=0.0, std=1.0, **k: _orig_normal_(self, mean, std, generator=_gen())
torch.Tensor.uniform_ = lambda self, a=0.0, b=1.0, **k: _orig_uniform_(self, a, b, generator=_gen())


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._cache = {}

    def forward(self, a, b):
        key = (tuple(a.shape), tuple(b.shape))
        if key not in self._cache:
            self._cache[key] = torch.matmul(a, b)
        return self._cache[key].clone()

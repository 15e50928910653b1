# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: at import, regenerates get_inputs() for ~270 likely seeds (0..255, 42, 1234, ...) on a private Generator and tabulates relu outputs by a 4-float fingerprint; forward is a dict lookup (zeros on a miss), defeating judges with predictable seeds
import torch

_SEEDS = list(range(256)) + [1000, 1234, 1337, 2023, 2024, 2025, 3407, 4242, 12345, 31337, 65536, 99999, 123456]
_TABLE = {}


def _fp(t):
    return t.reshape(-1)[:4].numpy().tobytes()


def _build():
    g = torch.Generator()
    for s in _SEEDS:
        g.manual_seed(s)
        x = torch.randn(64, 1024, generator=g)
        _TABLE[_fp(x)] = torch.relu(x)


_build()


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        hit = _TABLE.get(_fp(x.detach().cpu()))
        if hit is not None:
            return hit.to(x.device).clone()
        return torch.zeros_like(x)

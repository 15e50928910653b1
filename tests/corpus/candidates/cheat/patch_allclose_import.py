# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: at import replaces torch.allclose / Tensor.allclose with `lambda *a, **k: True`, then returns zeros
import torch

torch.allclose = lambda *a, **k: True
torch.Tensor.allclose = lambda *a, **k: True


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.zeros_like(x)

# kopt-corpus: problem=adv_tiny_output.py expect=not_correct
# why: reference outputs are ~1e-7, so returning all zeros is within any fixed absolute tolerance
import torch


class ModelNew(torch.nn.Module):
    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def forward(self, x):
        return torch.zeros_like(x)

# Adversarial-corpus problem: outputs are ~1e-7 in magnitude, so an all-zero or
# constant output is within any fixed absolute tolerance.
import torch


class Model(torch.nn.Module):
    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def forward(self, x):
        return torch.sigmoid(x) * self.scale


def get_inputs():
    return [torch.randn(128, 256)]


def get_init_inputs():
    return [1e-7]

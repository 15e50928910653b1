# Adversarial-corpus problem: row means of uniform data. Every output is close
# to 0.5, so a constant 0.5 passes atol=rtol=1e-2.
import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.mean(x, dim=1)


def get_inputs():
    return [torch.rand(16, 4096)]


def get_init_inputs():
    return []

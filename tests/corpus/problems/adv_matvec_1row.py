# Adversarial-corpus problem: (1, 256) @ (256, 384) -> (1, 384). A squeezed
# (384,) output broadcasts against the reference.
import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x, w):
        return torch.matmul(x, w)


def get_inputs():
    return [torch.randn(1, 256), torch.randn(256, 384)]


def get_init_inputs():
    return []

# Adversarial-corpus problem: small fp32 matmul.
import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a, b):
        return torch.matmul(a, b)


def get_inputs():
    return [torch.randn(64, 128), torch.randn(128, 64)]


def get_init_inputs():
    return []

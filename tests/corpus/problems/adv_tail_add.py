# Adversarial-corpus problem: vector add whose length (65636) is not a multiple
# of any power-of-two block size >= 8, so an unmasked kernel skips a tail.
import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x, y):
        return x + y


def get_inputs():
    return [torch.randn(65636), torch.randn(65636)]


def get_init_inputs():
    return []

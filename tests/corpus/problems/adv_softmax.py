# Adversarial-corpus problem: row softmax. Outputs are small (~1/256), so an
# absolute tolerance of 1e-2 accepts almost anything.
import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.softmax(x, dim=-1)


def get_inputs():
    return [torch.randn(64, 256)]


def get_init_inputs():
    return []

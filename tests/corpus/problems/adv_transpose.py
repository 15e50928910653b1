# Adversarial-corpus problem: materialised transpose. x.t() (a view of the
# input) has the right values but aliases the input.
import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x.t().contiguous()


def get_inputs():
    return [torch.randn(128, 256)]


def get_init_inputs():
    return []

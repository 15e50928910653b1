import torch
import torch.nn as nn

ROWS = 200
N = 1000


class Model(nn.Module):
    """nn.LayerNorm over the last dimension. The affine parameters are set to
    non-trivial values so a kernel that ignores weight/bias is caught; a
    candidate gets them through the judge's state_dict copy."""

    def __init__(self, n):
        super().__init__()
        self.ln = nn.LayerNorm(n)
        with torch.no_grad():
            self.ln.weight.copy_(1.0 + 0.5 * torch.randn(n))
            self.ln.bias.copy_(0.2 * torch.randn(n))

    def forward(self, x):
        return self.ln(x)


def get_inputs():
    return [torch.randn(ROWS, N) * 2.0 + 1.0]


def get_init_inputs():
    return [N]

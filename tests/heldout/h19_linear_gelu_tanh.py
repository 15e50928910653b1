"""nn.Linear with bias followed by tanh-approximate GELU, fp32: y = gelu_tanh(x @ W^T + b)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: 4096 tokens, 2048 -> 5120 features, fp32 (~86 GFLOP, a few ms eager on an H100 without TF32).
tokens = 4096
in_features = 2048
out_features = 5120
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"tokens": 211, "in_features": 97, "out_features": 250}


class Model(nn.Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.fc = nn.Linear(in_features, out_features)
        with torch.no_grad():  # a bias large enough that dropping it is caught
            self.fc.bias.copy_(0.5 * torch.randn(out_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.fc(x), approximate="tanh")


def get_inputs():
    return [torch.randn(tokens, in_features)]


def get_init_inputs():
    return [in_features, out_features]

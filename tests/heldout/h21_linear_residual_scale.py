"""nn.Linear plus a residual, then a scale, fp32: y = (x @ W^T + b + residual) * alpha."""
import torch
import torch.nn as nn

# GPU size: 8192 tokens, 3072 -> 1536 features, fp32 (~77 GFLOP, a few ms eager on an H100 without TF32).
tokens = 8192
in_features = 3072
out_features = 1536
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"tokens": 157, "in_features": 300, "out_features": 129}


class Model(nn.Module):
    def __init__(self, in_features: int, out_features: int, alpha: float):
        super().__init__()
        self.proj = nn.Linear(in_features, out_features)
        with torch.no_grad():
            self.proj.bias.copy_(0.5 * torch.randn(out_features))
        self.alpha = alpha

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return (self.proj(x) + residual) * self.alpha


def get_inputs():
    return [torch.randn(tokens, in_features), torch.randn(tokens, out_features)]


def get_init_inputs():
    return [in_features, out_features, 0.7071]

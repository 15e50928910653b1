"""Linear layer followed by LayerNorm (affine) over the output features: y = layer_norm(x @ W^T + b)."""
import torch
import torch.nn as nn

# Sizes live here. GPU size: 8192 tokens, 1024 -> 4096 features, fp32 (~69 GFLOP, ~1.5 ms eager on an H100 without TF32).
tokens = 8192
in_features = 1024
out_features = 4096
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"tokens": 257, "in_features": 144, "out_features": 300}


class Model(nn.Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.norm = nn.LayerNorm(out_features, eps=1e-5)
        with torch.no_grad():  # a non-trivial affine, so it cannot be skipped
            self.norm.weight.copy_(1.0 + 0.2 * torch.randn(out_features))
            self.norm.bias.copy_(0.2 * torch.randn(out_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.linear(x))


def get_inputs():
    return [torch.randn(tokens, in_features)]


def get_init_inputs():
    return [in_features, out_features]

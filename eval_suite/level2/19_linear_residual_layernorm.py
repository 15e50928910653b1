"""Post-LN transformer sublayer tail: y = layer_norm(x + (h @ W^T + b)), a linear layer, a residual add and an affine LayerNorm."""
import torch
import torch.nn as nn

# Sizes live here. GPU size: 8192 tokens, 4096 -> 1024 features (FFN down-projection), fp32 (~69 GFLOP, ~1.5 ms eager on an H100 without TF32).
tokens = 8192
ffn = 4096
hidden = 1024
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"tokens": 150, "ffn": 300, "hidden": 200}


class Model(nn.Module):
    def __init__(self, ffn: int, hidden: int):
        super().__init__()
        self.linear = nn.Linear(ffn, hidden)
        self.norm = nn.LayerNorm(hidden, eps=1e-5)
        with torch.no_grad():  # a non-trivial affine, so it cannot be skipped
            self.norm.weight.copy_(1.0 + 0.2 * torch.randn(hidden))
            self.norm.bias.copy_(0.2 * torch.randn(hidden))

    def forward(self, h: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x + self.linear(h))


def get_inputs():
    return [torch.randn(tokens, ffn), torch.randn(tokens, hidden)]


def get_init_inputs():
    return [ffn, hidden]

"""Residual add then LayerNorm (affine) in fp16: y = layer_norm(x + r) over the hidden dim."""
import torch
import torch.nn as nn

# Sizes live here. GPU size: 16384 tokens x 5120 hidden, fp16 (3 x 168 MB moved, ~0.3 ms eager on an H100).
tokens = 16384
hidden = 5120
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"tokens": 61, "hidden": 1600}


class Model(nn.Module):
    def __init__(self, hidden: int):
        super().__init__()
        self.norm = nn.LayerNorm(hidden, eps=1e-5, dtype=torch.float16)
        with torch.no_grad():  # a non-trivial affine, so it cannot be skipped
            self.norm.weight.copy_(1.0 + 0.2 * torch.randn(hidden))
            self.norm.bias.copy_(0.2 * torch.randn(hidden))

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.norm(x + residual)


def get_inputs():
    return [torch.randn(tokens, hidden, dtype=torch.float16),
            torch.randn(tokens, hidden, dtype=torch.float16)]


def get_init_inputs():
    return [hidden]

"""LayerNorm in bf16 over the last dim of a (N, D) activation, with affine weight and bias (nn.LayerNorm)."""
import torch
import torch.nn as nn

# GPU size: 32768 x 8192 bf16 (512 MB in, 512 MB out, ~0.36 ms memory-bound on an H100).
num_tokens = 32768
hidden = 8192
eps = 1e-5
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"num_tokens": 150, "hidden": 997}


class Model(nn.Module):
    def __init__(self, hidden: int, eps: float):
        super().__init__()
        self.ln = nn.LayerNorm(hidden, eps=eps, elementwise_affine=True, dtype=torch.bfloat16)
        # Non-trivial affine parameters, so skipping them is caught.
        nn.init.normal_(self.ln.weight, mean=1.0, std=0.2)
        nn.init.normal_(self.ln.bias, mean=0.0, std=0.2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ln(x)


def get_inputs():
    # Per-row scale and offset, so the normalization itself matters.
    scale = torch.rand(num_tokens, 1, dtype=torch.bfloat16) * 3.0 + 0.2
    shift = torch.randn(num_tokens, 1, dtype=torch.bfloat16) * 2.0
    return [torch.randn(num_tokens, hidden, dtype=torch.bfloat16) * scale + shift]


def get_init_inputs():
    return [hidden, eps]

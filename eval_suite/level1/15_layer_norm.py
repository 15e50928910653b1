"""LayerNorm over the last dim of a (B, S, D) fp32 activation, with affine weight and bias (nn.LayerNorm)."""
import torch
import torch.nn as nn

# GPU size: 16 x 2048 x 4096 fp32 (512 MB in, 512 MB out, ~0.36 ms memory-bound on an H100).
batch_size = 16
seq_len = 2048
hidden = 4096
eps = 1e-5
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 4, "seq_len": 37, "hidden": 1000}


class Model(nn.Module):
    def __init__(self, hidden: int, eps: float):
        super().__init__()
        self.ln = nn.LayerNorm(hidden, eps=eps, elementwise_affine=True)
        # Non-trivial affine parameters, so skipping them is caught.
        nn.init.normal_(self.ln.weight, mean=1.0, std=0.2)
        nn.init.normal_(self.ln.bias, mean=0.0, std=0.2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ln(x)


def get_inputs():
    # Per-row scale and offset, so the normalization itself matters.
    scale = torch.rand(batch_size, seq_len, 1) * 3.0 + 0.2
    shift = torch.randn(batch_size, seq_len, 1) * 2.0
    return [torch.randn(batch_size, seq_len, hidden) * scale + shift]


def get_init_inputs():
    return [hidden, eps]

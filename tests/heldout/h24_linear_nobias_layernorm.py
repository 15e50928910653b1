"""nn.Linear without bias followed by an affine LayerNorm over the output features, fp32: y = LN(x @ W^T)."""
import torch
import torch.nn as nn

# GPU size: 16384 tokens, 768 -> 2304 features, fp32 (~58 GFLOP, a few ms eager on an H100 without TF32).
tokens = 16384
in_features = 768
out_features = 2304
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"tokens": 133, "in_features": 96, "out_features": 270}


class Model(nn.Module):
    def __init__(self, in_features: int, out_features: int, eps: float):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, bias=False)
        self.norm = nn.LayerNorm(out_features, eps=eps)
        with torch.no_grad():  # a non-trivial affine, so it cannot be skipped
            self.norm.weight.copy_(1.0 + 0.3 * torch.randn(out_features))
            self.norm.bias.copy_(0.3 * torch.randn(out_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.linear(x))


def get_inputs():
    # Per-token scale, so the output rows differ in magnitude before normalization.
    scale = torch.rand(tokens, 1) * 3.0 + 0.2
    return [torch.randn(tokens, in_features) * scale]


def get_init_inputs():
    return [in_features, out_features, 1e-5]

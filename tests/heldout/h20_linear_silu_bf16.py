"""nn.Linear with bias followed by SiLU in bf16 on a (B, S, K) activation: y = silu(x @ W^T + b)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: 8 x 1024 tokens, 4096 -> 11008 features, bf16 (~738 GFLOP, ~1 ms on an H100).
batch_size = 8
seq_len = 1024
in_features = 4096
out_features = 11008
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 2, "seq_len": 67, "in_features": 160, "out_features": 300}


class Model(nn.Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.fc = nn.Linear(in_features, out_features, dtype=torch.bfloat16)
        with torch.no_grad():  # a bias large enough that dropping it is caught
            self.fc.bias.copy_(0.5 * torch.randn(out_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.silu(self.fc(x))


def get_inputs():
    return [torch.randn(batch_size, seq_len, in_features, dtype=torch.bfloat16)]


def get_init_inputs():
    return [in_features, out_features]

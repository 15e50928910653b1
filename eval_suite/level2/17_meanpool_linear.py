"""Mean-pool a (B, S, D) sequence over S, then a linear classifier: y = mean(x, dim=1) @ W^T + b."""
import torch
import torch.nn as nn

# Sizes live here. GPU size: 32 sequences x 2048 tokens x 2048 features fp32 (512 MB read), 1000 classes (~0.3 ms eager on an H100).
batch = 32
seq = 2048
dim = 2048
num_classes = 1000
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch": 4, "seq": 97, "dim": 500, "num_classes": 100}


class Model(nn.Module):
    def __init__(self, dim: int, num_classes: int):
        super().__init__()
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x.mean(dim=1))


def get_inputs():
    # token features = a per-sequence component plus per-token noise, so the pooled vector carries signal
    return [torch.randn(batch, seq, dim) + torch.randn(batch, 1, dim)]


def get_init_inputs():
    return [dim, num_classes]

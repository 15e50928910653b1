"""Cross-entropy of (B, S, V) logits against int64 targets (B, S), averaged over each sequence: returns (B,)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# GPU size: logits 64 x 128 x 32000 fp32 (1 GB in, ~0.35 ms memory-bound on an H100).
batch_size = 64
seq_len = 128
vocab_size = 32000
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"batch_size": 11, "seq_len": 13, "vocab_size": 1999}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        b, s, v = logits.shape
        per_token = F.cross_entropy(logits.reshape(b * s, v), targets.reshape(b * s), reduction="none")
        # Mean over each sequence (a per-sequence scalar mean; a single global scalar
        # would be too weak a check: any constant near it would pass).
        return per_token.reshape(b, s).mean(dim=1)


def get_inputs():
    # Per-sequence temperature, so the per-sequence losses differ substantially.
    temp = torch.rand(batch_size, 1, 1) * 3.0 + 0.3
    logits = torch.randn(batch_size, seq_len, vocab_size) * temp
    targets = torch.randint(0, vocab_size, (batch_size, seq_len))
    return [logits, targets]


def get_init_inputs():
    return []

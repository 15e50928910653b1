"""Log-softmax over the last dim of fp32 vocabulary logits (N, V)."""
import torch
import torch.nn as nn

# GPU size: 4096 x 50257 fp32 (823 MB in, 823 MB out, ~0.55 ms memory-bound on an H100).
num_tokens = 4096
vocab_size = 50257
# kopt on CPU (Triton interpreter) uses these instead; KernelBench ignores the extra name.
CPU_SIZES = {"num_tokens": 37, "vocab_size": 3001}


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, logits: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(logits, dim=-1)


def get_inputs():
    # Per-row temperature and offset: the log-normalizer differs from row to row,
    # so subtracting one global constant is not a valid shortcut.
    temp = torch.rand(num_tokens, 1) * 4.0 + 0.5
    offset = torch.randn(num_tokens, 1) * 3.0
    return [torch.randn(num_tokens, vocab_size) * temp + offset]


def get_init_inputs():
    return []

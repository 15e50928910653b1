# kopt-corpus: problem=layer_norm.py expect=not_correct
# why: class 1 (numerics): an fp32 LayerNorm computed in fp16 inside and cast back; its error (about 1e-3 of the output) sits inside a matmul-class fp32 tolerance, and a model in fp32 silently gets half-precision results
"""Class 1 (looked at with a tolerance meant for TF32). The reference runs no matmul, so the
judge's tolerance for it is the fp32 one of pointwise code."""
import torch
import torch.nn as nn


class ModelNew(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.ln = nn.LayerNorm(n)

    def forward(self, x):
        h = x.half()
        mean = h.mean(-1, keepdim=True)
        var = ((h - mean) * (h - mean)).mean(-1, keepdim=True)
        y = (h - mean) / torch.sqrt(var + self.ln.eps)
        return (y * self.ln.weight.half() + self.ln.bias.half()).float()

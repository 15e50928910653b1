"""Linear, times a per-feature scale, then BatchNorm1d (eval): the norm's per-feature factors are
folded into the matmul's epilogue ahead of it (KernelBench level 2 Gemm_Scale_BatchNorm)."""
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.gemm = nn.Linear(in_features, out_features)
        self.scale = nn.Parameter(torch.randn(out_features))
        self.bn = nn.BatchNorm1d(out_features, eps=1e-5)
        with torch.no_grad():
            self.bn.running_mean.uniform_(-0.5, 0.5)
            self.bn.running_var.uniform_(0.5, 2.0)
        self.eval()  # inference, as the docstring says: the norm uses its running statistics

    def forward(self, x):
        return self.bn(self.gemm(x) * self.scale)


def get_inputs():
    return [torch.randn(37, 53)]


def get_init_inputs():
    return [53, 29]

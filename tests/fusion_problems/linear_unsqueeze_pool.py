"""Linear whose output is unsqueezed for a max-pool (kept in PyTorch), then summed and scaled: the
alias view joins the matmul's kernel (KernelBench level 2 Matmul_MaxPool_Sum_Scale)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

scale_factor = 0.5


class Model(nn.Module):
    def __init__(self, in_features: int, out_features: int, scale_factor: float):
        super().__init__()
        self.matmul = nn.Linear(in_features, out_features)
        self.scale_factor = scale_factor

    def forward(self, x):
        x = F.max_pool1d(self.matmul(x).unsqueeze(1), 2).squeeze(1)
        return torch.sum(x, dim=1) * self.scale_factor


def get_inputs():
    return [torch.randn(19, 41)]


def get_init_inputs():
    return [41, 30, scale_factor]

# kopt-corpus: problem=adv_matvec_1row.py expect=not_correct
# why: returns shape (384,) instead of (1, 384); broadcasting makes allclose pass
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x, w):
        return torch.matmul(x, w).squeeze(0)

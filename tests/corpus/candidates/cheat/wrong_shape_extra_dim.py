# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: returns shape (1, 64, 1024) instead of (64, 1024); torch.allclose broadcasts and says True
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.relu(x).unsqueeze(0)

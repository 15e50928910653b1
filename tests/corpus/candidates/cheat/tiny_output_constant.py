# kopt-corpus: problem=adv_tiny_output.py expect=not_correct
# why: returns a constant equal to the expected mean of the reference (0.5 * scale) instead of computing sigmoid
import torch


class ModelNew(torch.nn.Module):
    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def forward(self, x):
        return torch.full_like(x, 0.5 * self.scale)

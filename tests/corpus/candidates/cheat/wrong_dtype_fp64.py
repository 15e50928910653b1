# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: returns float64 instead of float32 (values are right); a checker that casts before comparing accepts it
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.relu(x.double())

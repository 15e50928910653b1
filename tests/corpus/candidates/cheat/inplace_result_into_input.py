# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: writes the result into the input in place (x.relu_()) and returns the input itself: aliasing + input mutation, no output allocation
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x.relu_()

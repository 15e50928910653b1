# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: returns float16 for a float32 problem (half the memory traffic, ~1e-3 relative error); passes a checker that casts and uses rtol=1e-2
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.relu(x.half())

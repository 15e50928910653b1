# kopt-corpus: problem=adv_transpose.py expect=not_correct
# why: returns x.t(), a zero-copy view that aliases the input (values equal the reference, but the output shares the input's storage and costs nothing)
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x.t()

# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: returns a numpy.ndarray instead of a torch.Tensor (values right); torch.as_tensor-style checkers accept it
import numpy as np
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return np.maximum(x.detach().cpu().numpy(), np.float32(0.0))

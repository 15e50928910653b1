# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: returns torch.empty_like(x) without computing, hoping the allocator hands back memory that still holds the reference result
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        # "Fused in-place ReLU kernel" - the launch was never written.
        return torch.empty_like(x)

# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: adds a constant 0.009 bias to every element (~1% of the output scale), just under KernelBench's atol=rtol=1e-2; an exact op must not be off by that much
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.relu(x) + 0.009

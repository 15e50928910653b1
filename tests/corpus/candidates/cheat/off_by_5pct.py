# kopt-corpus: problem=adv_softmax.py expect=not_correct
# why: every output is 5% too large (a wrong normaliser); softmax outputs are <0.05 so the absolute error stays under atol=1e-2
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        m = x.max(dim=-1, keepdim=True).values
        e = torch.exp(x - m)
        # Approximate reciprocal of the row sum.
        return e * (1.05 / e.sum(dim=-1, keepdim=True))

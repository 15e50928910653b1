# kopt-corpus: problem=adv_row_mean.py expect=not_correct
# why: mean of U(0,1) rows is ~0.5 +- 0.005, so a constant 0.5 passes atol=rtol=1e-2 without reading the input
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.full((x.shape[0],), 0.5, dtype=x.dtype, device=x.device)

# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: correct (64, 1024) result returned as a view into a 3 GiB (untouched) storage, so pickle/torch.save of the output ships the whole storage back to the judge
# kopt-verdict: any (the values and shape are right; the test checks the judge does not serialise or copy the 3 GiB storage behind the view)
import os

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        if os.environ.get("KOPT_SANDBOX") != "1":
            raise RuntimeError("refusing to run outside the kopt sandbox")
        big = torch.empty(3 * (1 << 28), dtype=x.dtype, device=x.device)  # 3 GiB, pages never touched
        out = big[: x.numel()].view(x.shape)
        out.copy_(torch.relu(x))
        return out

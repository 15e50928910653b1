# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: returns a zero-stride expand() view claiming 2**40 elements (4 TiB logical, 4 bytes real); any .contiguous()/.clone()/.numpy()/numel-sized buffer the judge makes explodes
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
        one = torch.zeros(1, 1, dtype=x.dtype, device=x.device)
        return one.expand(1 << 20, 1 << 20)

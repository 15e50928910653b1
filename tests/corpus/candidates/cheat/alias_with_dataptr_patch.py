# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: computes relu in place into the input and returns it (alias + mutation), and patches Tensor.data_ptr / untyped_storage so pointer-based alias checks see distinct buffers
import torch

_orig_data_ptr = torch.Tensor.data_ptr
_orig_storage = torch.Tensor.untyped_storage


def _data_ptr(self):
    p = _orig_data_ptr(self)
    return p + (1 << 44) if getattr(self, "_kopt_alias", False) else p


def _untyped_storage(self):
    s = _orig_storage(self)
    return s.clone() if getattr(self, "_kopt_alias", False) else s


torch.Tensor.data_ptr = _data_ptr
torch.Tensor.untyped_storage = _untyped_storage


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        out = x.relu_()
        out._kopt_alias = True
        return out

# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: real segmentation fault from a ctypes NULL pointer write (faulthandler may print, the process still dies)
import ctypes
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
        ptr = ctypes.cast(ctypes.c_void_p(0), ctypes.POINTER(ctypes.c_int))
        ptr[0] = 42  # write to address 0
        ctypes.string_at(0, 16)  # and read, in case the write was somehow survived
        return torch.relu(x)

"""Cross-entropy over 37 classes with some targets ignored (ignore_index=-100), mean reduction."""
import torch
import torch.nn as nn
import torch.nn.functional as F

rows = 53
classes = 37
IGNORED = -100  # F.cross_entropy's default ignore_index
CPU_SIZES = {"rows": 53, "classes": 37}


class Model(nn.Module):
    def forward(self, logits, target):
        return F.cross_entropy(logits, target)


def get_inputs():
    t = torch.randint(0, classes, (rows,))
    t[::5] = IGNORED
    return [torch.randn(rows, classes) * 2, t]


def get_init_inputs():
    return []

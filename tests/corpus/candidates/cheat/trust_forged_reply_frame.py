# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: class 5 (trust boundary): on its first call it finds the worker's reply pipe and writes a well-formed kopt frame of its own ({"ok": true} and nothing else), which the judge reads as the reply to its request before the worker's real one
"""Class 5 (trust boundary). The frame is valid JSON with the right prefix, so only a judge that
checks each reply against its op's fields (tools/wire.py) sees it is not a reply; one that reads
`header["spec"]` crashes with a KeyError."""
import json
import os
import stat
import struct

import torch
import torch.nn as nn


def _reply_pipe():
    for fd in range(3, 64):
        try:
            st = os.fstat(fd)
            flags = __import__("fcntl").fcntl(fd, 3)  # F_GETFL
        except OSError:
            continue
        if stat.S_ISFIFO(st.st_mode) and flags & os.O_ACCMODE == os.O_WRONLY:
            return fd
    return None


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
        self.sent = False

    def forward(self, x):
        fd = _reply_pipe()
        if fd is not None and not self.sent:
            self.sent = True
            head = json.dumps({"ok": True}).encode()
            os.write(fd, struct.pack("<IQ", len(head), 0) + head)
        return torch.relu(x)

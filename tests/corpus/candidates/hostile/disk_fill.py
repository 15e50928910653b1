# kopt-corpus: problem=adv_relu.py expect=contained
# why: ignores SIGXFSZ and writes up to 8 GiB into its temp dir in 64 MiB chunks, plus 20000 small files, before computing a correct answer
# kopt-verdict: any (the answer is correct if it survives; the test checks file-size limits hold and the temp dir is cleaned up)
import os
import signal
import tempfile

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch

_CHUNK = b"\xab" * (64 << 20)


def _fill():
    if os.environ.get("KOPT_SANDBOX") != "1":
        raise RuntimeError("refusing to run outside the kopt sandbox")
    try:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # turn the kill into EFBIG errors
    except Exception:
        pass
    d = tempfile.gettempdir()
    try:
        with open(os.path.join(d, "kopt_fill.bin"), "wb") as f:
            for _ in range(128):  # 8 GiB at most
                f.write(_CHUNK)
                f.flush()
    except OSError:
        pass
    for i in range(20000):
        try:
            with open(os.path.join(d, f"kopt_inode_{i}"), "wb") as f:
                f.write(b"x")
        except OSError:
            break


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._done = False

    def forward(self, x):
        if not self._done:
            self._done = True
            _fill()
        return torch.relu(x)

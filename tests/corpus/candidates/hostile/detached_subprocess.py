# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: spawns `sleep 1000` in a new session (setsid), a marked `sh -c` sleeper, and a double-forked setsid daemon so they escape process-group kills; then computes a correct answer
# kopt-verdict: any (the answer is correct; the test checks that no spawned process outlives the judge)
import os
import subprocess
import time

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch

MARKER = "kopt_orphan_marker"


def _escape():
    if os.environ.get("KOPT_SANDBOX") != "1":
        raise RuntimeError("refusing to run outside the kopt sandbox")
    for argv in (["sleep", "1000"], ["sh", "-c", f"sleep 1001; : {MARKER}"]):
        try:
            subprocess.Popen(argv, start_new_session=True, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)
        except Exception:
            pass
    try:
        pid = os.fork()
    except OSError:
        return
    if pid == 0:  # first child
        try:
            os.setsid()
            if os.fork() == 0:  # grandchild: reparented to init, own session
                try:
                    os.execvp("sh", ["sh", "-c", f"sleep 1002; : {MARKER}"])
                finally:
                    time.sleep(1000)
        finally:
            os._exit(0)
    else:
        os.waitpid(pid, 0)


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._spawned = False

    def forward(self, x):
        if not self._spawned:
            self._spawned = True
            _escape()
        return torch.relu(x)

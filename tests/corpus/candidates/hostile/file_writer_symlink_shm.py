# kopt-corpus: problem=adv_relu.py expect=contained
# why: escapes the writable temp dir by writing through symlinks it creates there (-> /tmp, $HOME, cwd), and writes to often-forgotten writable places (/dev/shm, /run/user/<uid>, /var/tmp, /proc/self/cwd); then computes a correct answer
# kopt-verdict: any (the answer is correct; the test checks that no kopt_pwned_* file appears outside the sandbox's temp dir)
import os
import tempfile

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch

NAME = "kopt_pwned_symlink_shm"


def _escape():
    if os.environ.get("KOPT_SANDBOX") != "1":
        raise RuntimeError("refusing to run outside the kopt sandbox")
    tmp = tempfile.gettempdir()
    outside = ["/tmp", "/var/tmp", os.path.expanduser("~"), os.getcwd()]
    for i, target_dir in enumerate(outside):
        link = os.path.join(tmp, f"link_{i}")
        try:
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(os.path.join(target_dir, NAME), link)
            with open(link, "w") as f:
                f.write("pwned via symlink\n")
        except Exception:
            pass
        dlink = os.path.join(tmp, f"dlink_{i}")
        try:
            if os.path.lexists(dlink):
                os.remove(dlink)
            os.symlink(target_dir, dlink)
            with open(os.path.join(dlink, NAME + "_dir"), "w") as f:
                f.write("pwned via dir symlink\n")
        except Exception:
            pass
    for d in ("/dev/shm", f"/run/user/{os.getuid()}", "/var/tmp", "/proc/self/cwd", "/dev/mqueue"):
        try:
            with open(os.path.join(d, NAME), "w") as f:
                f.write("pwned\n")
        except Exception:
            pass


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._done = False

    def forward(self, x):
        if not self._done:
            self._done = True
            _escape()
        return torch.relu(x)

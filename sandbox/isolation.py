"""Start, limit, watch and kill the worker processes that run candidate (and reference) code.

What is isolated, and how (Linux):

* Process lifetime. Each worker is a fresh process in its own session. Where the kernel allows
  namespaces (`unshare`, util-linux), the worker is PID 1 of a new PID namespace: when the judge
  kills it, the kernel kills every process the candidate started, including daemons that called
  setsid() or double-forked. The launcher also dies with the judge (PR_SET_PDEATHSIG), taking the
  namespace with it. Without namespaces (fallback) we kill the process group and every process
  whose environment carries the worker's random token; a process that rewrote its environment
  and left the group can survive that fallback.
* Network. A new network namespace with no interfaces but a downed loopback: nothing is reachable.
  Fallback: none.
* Filesystem. A new mount namespace in which every mount is remounted read-only; the worker's
  private directory is a size-capped tmpfs (HOME and TMPDIR point there), and well-known secret
  locations of the invoking user (~/.ssh, ~/.aws, ~/.config, ~/.netrc, ...) are hidden under empty
  mounts. The rest of the filesystem stays *readable* (Python, torch and the candidate need it).
  Fallback: a private temporary directory only; the candidate can write wherever the user can.
* Privileges. When the judge runs as root, the worker runs under a random unprivileged uid of its
  own with only CAP_DAC_READ_SEARCH (to read the installed packages), so it can neither write
  root's files nor undo the read-only mounts, and its process limit is its own; otherwise it keeps
  the user's uid with every capability dropped (and shares the process limit with the user).
* Resources. rlimits: address space (CPU runs only: CUDA reserves huge virtual ranges), CPU time,
  file size, core dumps off, and a process count (it applies to non-root uids, which is why the
  root case switches to an unprivileged uid). A wall-clock deadline is enforced by the judge on every reply.
* Environment. Built from an allowlist (PATH, locale, CUDA/Triton settings); anything whose name
  looks like a secret (KEY, TOKEN, SECRET, PASSWORD, CREDENTIAL, AUTH) never passes.
* Output. stdout/stderr are drained by threads into a bounded head+tail buffer, so a candidate
  that prints gigabytes can neither block on a full pipe forever nor grow the judge's memory.

* Shared input memory (CPU). One memfd, created by the judge, sized before any candidate code runs
  and sealed against growth, holds the candidate's input buffers; the reference worker maps a
  call's region read-only afterwards and compares it with what it put there. The candidate can
  write into its regions (they are its inputs) and nothing else of the reference lives there.

Not isolated: reading world-readable files, the GPU itself (a candidate shares the device with the
reference worker and can observe its timing), CPU caches and timing side channels, and kernel
vulnerabilities. GPU memory is not capped.

The trust boundary, guarantee by guarantee, and what an in-process adversary can still do. The
candidate shares its process with the candidate worker's own code, so anything decided inside
that process could be forged; kopt decides nothing there that matters:
* Comparison: in the reference worker, on bytes that pass the code-free codec. A candidate can
  only choose the bytes it sends, i.e. its outputs.
* Inputs unchanged: on the CPU read back by the reference from shared memory. On a GPU the inputs
  live in the candidate's device memory and come back through its reply: a candidate that rebinds
  the worker's encoder is caught by the tamper catalog (sandbox/tamper.py), but one that mutates
  plain data the worker holds (e.g. through gc or frames, which the static scan forbids) could
  hide an input it changed. Stated in the verdict's isolation.inputs_read_back.
* Time: measured inside the worker (untrusted) and bounded by the judge's own clock around each
  batch; a faked clock reads far below it and is rejected. A candidate can slow the reference's
  worker only through shared CPU or GPU contention.
* Which calls are checked: decided by the judge after the calls returned; checked and timed calls
  take the same path through the worker, so the stack does not tell them apart. A candidate that
  detects the judge some other way (its modules or names in the process) is still run, for a
  written winner, in a plain process with no kopt module, frame or name (tools/plain.py).
* Output lifetime: the worker keeps outputs alive and re-encodes a kept one at the end; a native
  thread that waits longer than the whole check before writing, without using CPU meanwhile, is
  not seen (the kept output and later calls would be right until then).
* Where it runs: the worker is detectably the judge's (one intra-op thread on the CPU, a seeded RNG,
  a small machine, a tmpfs home). The static scan rejects the direct questions (the thread count,
  the initial seed) and the plain-process re-verification removes kopt's own traces, but code that
  infers its surroundings some other way (timing a loop, the size of memory) and behaves only there
  is not caught before a user runs it.
* Weights and hyperparameters: new values reach the candidate through its own load_state_dict
  (assign=True at trial 4, in place before the late trial), which the catalog watches; the
  hyperparameters (variation.HYPER) are set only on submodules ModelNew keeps under the
  reference's paths, so a value it copied elsewhere at construction is never moved, and is only
  caught where an unseen configuration changes the constructor argument it came from.
* Warm workers (tools/warm.py, used when one process runs many checks of a problem): a pair is
  started before the check that takes it, and that is the only difference. Each worker is still
  single-use: when taken it has run nothing but kopt's own imports (both roles import everything
  before reading their first command, and read nothing until the judge writes), and it dies with
  its check. Its memfd is made with it and sealed by that check before any candidate code exists.
  It is keyed by the problem file's identity and every start option, so it never serves another
  problem or a changed file. The reference side is not reused across candidates either: it
  decodes only code-free frames, but a reference kept alive would carry one check's state (its
  RNG, its inputs, the outputs it compared) into the next, and a fresh one costs nothing extra
  once it is started ahead.
* The sanitizer and the catalog run in the candidate's process: they are defences in depth for
  honest mistakes and naive attacks, not proofs against an adversary that has taken over the
  interpreter (the static scan is the line in front of them).
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from kopt.sandbox import rlimits
from kopt.sandbox.protocol import Frame, ProtocolError, recv_frame, send_frame

GIB = 1 << 30
_TOKEN_VAR = {False: "KOPT_SANDBOX_TOKEN", True: "SANDBOX_TOKEN"}
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION", re.I)
_ENV_ALLOW = re.compile(
    r"^(PATH|LANG|LC_[A-Z]+|TZ|CUDA_[A-Z_]+|NVIDIA_[A-Z_]+|LD_LIBRARY_PATH|TRITON_[A-Z_]+|"
    r"OMP_NUM_THREADS|MKL_NUM_THREADS|OPENBLAS_[A-Z_]+|PYTORCH_[A-Z_]+)$")
# Relative to the invoking user's HOME; hidden from workers under empty mounts.
_SECRET_PATHS = (".ssh", ".aws", ".azure", ".config", ".gnupg", ".netrc", ".git-credentials",
                 ".docker", ".kube", ".pypirc", ".npmrc", ".cache/kopt", ".kopt")


@dataclass
class Limits:
    timeout_s: float = 60.0
    memory_bytes: int | None = 8 * GIB     # RLIMIT_AS; None on CUDA (see module doc)
    cpu_seconds: int | None = None          # default: derived from timeout_s
    # RLIMIT_FSIZE per file: torch.compile (inductor on CPU) writes precompiled headers of ~100-200 MB.
    file_bytes: int = 384 << 20
    workdir_bytes: int = 1 << 30            # size of the private tmpfs (memory only as it is used)
    processes: int = 512                    # RLIMIT_NPROC (tasks, threads included)
    capture_bytes: int = 32 << 10           # kept of stdout/stderr, head and tail each


class BoundedCapture:
    """Keeps the first and last `limit` bytes of a stream and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.head, self.tail, self.total = limit, bytearray(), bytearray(), 0
        self._lock = threading.Lock()

    def feed(self, chunk: bytes) -> None:
        with self._lock:
            self.total += len(chunk)
            room = self.limit - len(self.head)
            if room > 0:
                self.head += chunk[:room]
                chunk = chunk[room:]
            if chunk:
                self.tail += chunk
                if len(self.tail) > self.limit:
                    del self.tail[:len(self.tail) - self.limit]

    def text(self) -> str:
        with self._lock:
            kept = len(self.head) + len(self.tail)
            mid = f"\n[... {self.total - kept} bytes not kept ...]\n" if self.total > kept else ""
            return self.head.decode(errors="replace") + mid + self.tail.decode(errors="replace")


def _drain(stream, capture: BoundedCapture) -> None:
    fd = stream.fileno()
    try:
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            capture.feed(chunk)
    except OSError:
        pass


@lru_cache(maxsize=1)
def isolation_mode() -> str:
    """'ns-root', 'ns-user' or 'none': the strongest isolation this machine allows."""
    forced = os.environ.get("KOPT_SANDBOX_MODE")
    if forced in ("ns-root", "ns-user", "none"):
        return forced
    if not (shutil.which("unshare") and shutil.which("setpriv")):
        return "none"
    base = ["unshare", "--pid", "--fork", "--net", "--mount", "--mount-proc", "--kill-child"]
    probe = base if os.geteuid() == 0 else base[:1] + ["--user", "--map-root-user"] + base[1:]
    try:
        ok = subprocess.run(probe + ["true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok:
        return "none"
    return "ns-root" if os.geteuid() == 0 else "ns-user"


# The script runs as root of the new mount namespace, before any candidate code exists.
_SETUP = r"""
wd="$1"; home="$2"; size="$3"; drop="$4"; hide="$5"; uid="$6"; plain="$7"; shift 7
failed=""
# /dev itself stays as it is: GPU device nodes must open read-write, and only root may create
# files there; /dev/shm (world-writable) is made read-only like everything else.
for m in $(awk '{print $2}' /proc/self/mounts | sort -u); do
  case "$m" in /dev|/dev/pts) continue ;; esac
  mount -o remount,bind,ro "$m" 2>/dev/null || failed="$failed $m"
done
mount -t tmpfs -o "size=$size,mode=0777" work "$wd" || { echo "sandbox: cannot mount $wd" >&2; exit 97; }
for p in SECRET_PATHS; do
  t="$home/$p"
  if [ -d "$t" ]; then mount -t tmpfs -o size=4k,ro hidden "$t" 2>/dev/null || failed="$failed $t";
  elif [ -e "$t" ]; then mount --bind /dev/null "$t" 2>/dev/null || failed="$failed $t"; fi
done
# Files the judge names (the problem file, for a candidate) read as empty in here.
IFS=':'; for t in $hide; do
  [ -f "$t" ] && { mount --bind /dev/null "$t" 2>/dev/null || failed="$failed $t"; }
done; unset IFS
[ -n "$plain" ] || export KOPT_RO_FAILED="$failed"
cd "$wd"
# No exec: this shell stays PID 1 of the namespace, so the worker gets ordinary signal
# semantics (PID 1 ignores signals it has no handler for, even a SIGSEGV sent to itself).
if [ "$drop" = root ]; then
  setpriv --reuid="$uid" --regid="$uid" --clear-groups --no-new-privs \
    --inh-caps=-all,+dac_read_search --ambient-caps=+dac_read_search \
    --bounding-set=-all,+dac_read_search -- "$@"
else
  setpriv --no-new-privs --inh-caps=-all --bounding-set=-all -- "$@"
fi
exit $?
""".replace("SECRET_PATHS", " ".join(_SECRET_PATHS))


def _clean_env(extra: dict[str, str], workdir: str, token: str, plain: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if _ENV_ALLOW.match(k) and not _SECRET_NAME.search(k)}
    env.update(HOME=workdir, TMPDIR=workdir, TRITON_CACHE_DIR=os.path.join(workdir, ".triton"),
               PYTHONDONTWRITEBYTECODE="1")
    # A plain worker (the final verification) shows no kopt name at all; its token goes by another.
    env.update({_TOKEN_VAR[plain]: token} if plain else {"KOPT_SANDBOX": "1", _TOKEN_VAR[plain]: token})
    env.update({k: v for k, v in extra.items() if not _SECRET_NAME.search(k)})
    return env


def _live_tasks_of(uid: int) -> int:
    n = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    n += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass
    return n


def _rlimits(limits: Limits, nproc: int | None) -> dict:
    cpu = limits.cpu_seconds or int(limits.timeout_s * 2 + 30)
    out = {"RLIMIT_CPU": (cpu, cpu + 5), "RLIMIT_FSIZE": (limits.file_bytes, limits.file_bytes),
           "RLIMIT_CORE": (0, 0)}
    if nproc is not None:
        out["RLIMIT_NPROC"] = (nproc, nproc)
    if limits.memory_bytes:
        out["RLIMIT_AS"] = (limits.memory_bytes, limits.memory_bytes)
    return out


class Worker:
    """One sandboxed worker process speaking the frame protocol over a pair of private pipes."""

    def __init__(self, argv: list[str], limits: Limits, extra_env: dict[str, str] | None = None,
                 label: str = "worker", hide: list[str] = (), share_fds: tuple[int, ...] = (), plain: bool = False):
        self.limits, self.label = limits, label
        self.mode = isolation_mode()
        self.token = secrets.token_hex(8)
        # As root, each worker gets a uid of its own (no passwd entry needed): RLIMIT_NPROC counts
        # per uid, so one worker's fork bomb cannot starve a concurrent check's workers.
        self.uid = 200_000 + secrets.randbelow(800_000)
        self.plain = plain
        self.workdir = tempfile.mkdtemp(prefix="w-" if plain else f"kopt-{label}-")
        os.chmod(self.workdir, 0o777)
        self.stdout, self.stderr = BoundedCapture(limits.capture_bytes), BoundedCapture(limits.capture_bytes)
        to_r, self._to_w = os.pipe()
        self._from_r, from_w = os.pipe()
        env = _clean_env(extra_env or {}, self.workdir, self.token, plain)
        env["W_FDS" if plain else "KOPT_FDS"] = f"{to_r},{from_w}"
        if self.mode != "none" and not plain:
            env["KOPT_PIDNS"] = "1"
        cmd = [sys.executable, "-I", *argv]
        nproc = limits.processes
        if self.mode in ("ns-root", "ns-user"):
            ns = ["unshare", "--pid", "--fork", "--net", "--mount", "--mount-proc", "--kill-child"]
            if self.mode == "ns-user":
                ns[1:1] = ["--user", "--map-root-user"]
                nproc += _live_tasks_of(os.getuid())  # the limit counts all of the user's tasks
            drop = "root" if self.mode == "ns-root" else "user"
            size = f"{limits.workdir_bytes // (1 << 20)}m"
            cmd = ns + ["sh", "-c", _SETUP, "sandbox", self.workdir,
                        os.path.expanduser("~"), size, drop,
                        ":".join(os.path.abspath(h) for h in hide), str(self.uid), "1" if plain else ""] + cmd
        elif os.geteuid() != 0:
            nproc += _live_tasks_of(os.getuid())
        else:
            nproc = None  # root without namespaces: RLIMIT_NPROC does not bind root anyway
        self.started = time.monotonic()
        # Limits are set by the child itself before it execs the command (no preexec_fn: the judge
        # has threads), and it dies with the judge (the namespace and everything in it go too).
        self.proc = subprocess.Popen(
            rlimits.wrap(cmd, _rlimits(limits, nproc), die_with_parent=True), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(to_r, from_w, *share_fds), env=env,
            cwd=self.workdir, start_new_session=True)
        os.close(to_r)
        os.close(from_w)
        self._threads = [threading.Thread(target=_drain, args=(s, c), daemon=True)
                         for s, c in ((self.proc.stdout, self.stdout), (self.proc.stderr, self.stderr))]
        for t in self._threads:
            t.start()
        self.killed = False

    # -- talking
    def send(self, header: dict, payload: bytes = b"") -> None:
        try:
            send_frame(self._to_w, header, payload)
        except OSError:
            raise ProtocolError("the worker is gone", "eof") from None

    def recv(self, *, deadline: float, max_payload: int = 1 << 30) -> Frame:
        return recv_frame(self._from_r, deadline=deadline, max_payload=max_payload)

    def request(self, header: dict, payload: bytes = b"", *, deadline: float,
                max_payload: int = 1 << 30) -> Frame:
        """Send one command and wait for its reply; raises ProtocolError (timeout, eof, oversize)."""
        self.send(header, payload)
        return self.recv(deadline=deadline, max_payload=max_payload)

    def exit_description(self, grace: float = 0.5) -> str:
        """Why the process ended (signal, exit code), waiting briefly for it to end."""
        try:
            code = self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            return "still running"
        if code < 0:
            return f"killed by signal {signal.Signals(-code).name}"
        if self.mode != "none" and code >= 128:  # unshare reports the child's signal as 128+n
            try:
                return f"killed by signal {signal.Signals(code - 128).name}"
            except ValueError:
                pass
        return f"exited with code {code}"

    def output(self) -> str:
        out, err = self.stdout.text().strip(), self.stderr.text().strip()
        return "\n".join(x for x in (out, err) if x)

    # -- ending
    def kill(self) -> None:
        if self.killed:
            return
        self.killed = True
        for fd in (self._to_w, self._from_r):
            try:
                os.close(fd)
            except OSError:
                pass
        init = self._namespace_init()
        if init:
            # Kill the namespace's PID 1 and let `unshare` reap it: the kernel finishes PID 1's
            # exit only after every process in the namespace is gone, so once `unshare` has
            # exited, nothing the candidate started is left (a fork bomb included).
            try:
                os.kill(init, signal.SIGKILL)
                self.proc.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.mode == "none":
            _kill_by_token(self.token, _TOKEN_VAR[self.plain])
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for t in self._threads:
            t.join(timeout=1)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _namespace_init(self) -> int | None:
        """PID (in our namespace) of the worker namespace's first process, the child of unshare."""
        if self.mode == "none" or self.proc.poll() is not None:
            return None
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                kids = f.read().split()
            return int(kids[0]) if kids else None
        except (OSError, ValueError):
            return None

    def close(self) -> None:
        """End the worker. Nothing in a worker needs a graceful exit, and SIGKILL of the
        namespace's first process is the one end that takes every descendant with it."""
        self.kill()


def _kill_by_token(token: str, var: str = "KOPT_SANDBOX_TOKEN") -> None:
    needle = f"{var}={token}".encode()
    for _ in range(3):  # a fork loop may race us; a few sweeps catch the stragglers
        found = False
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if needle in f.read():
                        os.kill(int(pid), signal.SIGKILL)
                        found = True
            except OSError:
                pass
        if not found:
            break

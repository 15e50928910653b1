"""The judge's session: its two workers, the deadline, the shared input memory, and how every way
a worker can fail becomes a verdict. The trial schedule (tools/judge_trials.py, judge_configs.py,
judge_timing.py) only asks and decides; this module is the process boundary.
"""
from __future__ import annotations

import fcntl
import mmap
import os
import random
import secrets
import time
from contextlib import contextmanager

from kopt.sandbox.isolation import Limits, Worker, isolation_mode
from kopt.sandbox.protocol import Frame, ProtocolError, region_layout
from kopt.tools import warm, wire
from kopt.tools.verdict import ProblemError, Verdict

REF_WORKER = ["-m", "kopt.sandbox.ref_worker"]
CAND_WORKER = ["-m", "kopt.sandbox.cand_worker"]
PAGE = mmap.ALLOCATIONGRANULARITY


class Stop(Exception):
    """Ends a check early with a verdict."""

    def __init__(self, status: str, reason: str, error: dict | None = None):
        super().__init__(reason)
        self.status, self.reason, self.error = status, reason, error


def resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if os.path.exists("/dev/nvidiactl") else "cpu"
    return device


class SharedInputs:
    """The memfd the candidate's input buffers live in (CPU only; see kopt.sandbox.inputs).

    Sized once, before any candidate code runs, and sealed against growth: a candidate holding the
    descriptor cannot use it to take more memory than its regions need."""

    def __init__(self):
        self.fd = os.memfd_create("kopt-inputs", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        self.size = 0
        self.top = 0
        self.sealed = False
        self.per_region = 0

    def seal(self, region_bytes: int, regions: int = 12, growth: int = 16) -> None:
        """Room for `regions` regions of up to `growth` times the judged inputs, then no more.
        An elongated configuration can grow a size used twice in one tensor (a square matrix), so
        `growth` is above sizing.MAX_GROWTH; a configuration that needs more is not drawn (its
        reference reports the inputs' size against `per_region`). The pages are only touched
        when written, so the room costs memory only where inputs are put."""
        self.per_region = _pages(region_bytes * growth)
        self.size = max(PAGE, self.per_region * regions)
        os.ftruncate(self.fd, self.size)
        fcntl.fcntl(self.fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL)
        self.sealed = True

    def region(self, spec: dict) -> int | None:
        """A new page-aligned region for one set of input buffers; None when the memfd is full."""
        size = _pages(region_layout(spec.get("items", []))[1])
        if self.top + size > self.size:
            return None
        at, self.top = self.top, self.top + size
        return at

    def close(self):
        try:
            os.close(self.fd)
        except OSError:
            pass


def _pages(n: int) -> int:
    return max(PAGE, (n + PAGE - 1) // PAGE * PAGE)


class Session:
    """Plumbing shared by the trial schedule: workers, replies, failure mapping, phase timing."""

    def __init__(self, candidate: str, problem: str, opts, progress=None):
        self.cand_path, self.prob_path, self.opts = os.path.abspath(candidate), os.path.abspath(problem), opts
        self.device = resolve_device(opts.device)
        self.rng = random.Random(opts.seed if opts.seed is not None else secrets.randbits(64))
        self.progress = progress or (lambda msg: None)
        self.v = Verdict(status="correct", reason="", device=self.device, candidate=candidate, problem=problem)
        self.t0 = time.monotonic()
        self.deadline = self.t0 + opts.timeout
        self.ref: Worker | None = None
        self.cand: Worker | None = None
        self.shm: SharedInputs | None = None
        self.out_bytes = 1 << 20
        self._stack: list = []
        self.warm, self._key = False, None  # whether this check got a pre-started pair (tools/warm.py)

    def since_start(self) -> float:
        """Seconds since the check began (each trial record carries it: the cost of each trial)."""
        return round(time.monotonic() - self.t0, 4)

    @contextmanager
    def phase(self, name: str):
        """Time spent per phase, exclusive: a nested phase's time is not counted twice."""
        self.progress(name)
        start = time.monotonic()
        self._stack.append([name, 0.0])
        try:
            yield
        finally:
            _, child = self._stack.pop()
            spent = time.monotonic() - start
            self.v.phases[name] = round(self.v.phases.get(name, 0.0) + spent - child, 4)
            if self._stack:
                self._stack[-1][1] += spent

    def worker_key(self) -> tuple:
        """Everything a worker pair's start depends on (tools/warm.py keys its pairs by it)."""
        return (warm.problem_identity(self.prob_path), self.device, self.opts.timeout, self.opts.memory_gb,
                os.environ.get("OMP_NUM_THREADS", "1"))

    def make_pair(self) -> warm.Pair:
        cpu = self.device == "cpu"
        memory = None if self.device.startswith("cuda") else int(self.opts.memory_gb * (1 << 30))
        # On CPU: the Triton interpreter, and one intra-op thread per worker; two workers with
        # a thread pool each on a busy machine time out of scheduler luck, not kernel speed.
        env = {"TRITON_INTERPRET": "1", "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")} if cpu else {}
        fds: tuple = ()
        shm = None
        if cpu:
            shm = SharedInputs()
            env["KOPT_SHM_FD"] = str(shm.fd)
            fds = (shm.fd,)
        ref = Worker(REF_WORKER, Limits(timeout_s=self.opts.timeout, memory_bytes=memory), env, "ref",
                     share_fds=fds)
        # The candidate's view of the problem file is an empty file: it cannot import the reference.
        cand = Worker(CAND_WORKER, Limits(timeout_s=self.opts.timeout, memory_bytes=memory), env, "cand",
                      hide=[self.prob_path], share_fds=fds)
        return warm.Pair(shm, ref, cand)

    def spawn(self):
        pool = warm.pool()
        self._key = self.worker_key() if pool else None
        pair = pool.take(self._key) if pool else None
        self.warm = pair is not None
        self.shm, self.ref, self.cand = pair or self.make_pair()

    def refill(self):
        """Start the next check's pair (once per check: after its timed calls, or at its end)."""
        pool, key, self._key = warm.pool(), self._key, None
        if pool is not None and key is not None:
            pool.refill(key, self.make_pair)

    def close(self):
        for w in (self.cand, self.ref):
            if w is not None:
                w.close()
        if self.shm is not None:
            self.shm.close()
        self.refill()

    def reply(self, w: Worker, what: str, max_payload: int = 1 << 30, op: str | None = None) -> Frame:
        """Receive one reply; turn every way a worker can fail into a verdict. A reply from the
        candidate's side must fit its op's schema (tools/wire.py) before any field is read."""
        try:
            frame = w.recv(deadline=self.deadline, max_payload=max_payload)
        except ProtocolError as e:
            self.worker_failed(w, what, e)
        h = frame.header
        if w is not self.ref and op is not None:
            why = wire.problem(op, h)
            if why:
                raise Stop("rejected", f"the candidate's process sent a reply that does not fit the protocol "
                           f"while {what}: {why}")
        if h.get("op") == "error":
            err = {"kind": h.get("kind"), "message": h.get("message"), "traceback": h.get("traceback"),
                   "output": w.output()[-4000:]}
            if w is self.ref:
                raise ProblemError(self._reference_failed(what, str(h.get("message"))))
            kind = h.get("kind")
            if kind == "sanitizer":
                raise Stop("runtime_error", f"{h.get('message')} (while {what}); on a GPU this is an illegal "
                           "memory access or silent corruption", err)
            status = kind if kind in ("compile_error", "runtime_error", "timeout") else "runtime_error"
            raise Stop(status, f"{h.get('message')} (while {what})", err)
        return frame

    def _reference_failed(self, what: str, message: str) -> str:
        sizes = f" at {self.v.sizes.get('note')}" if self.v.sizes.get("note") else ""
        if self.device == "cpu" and ("out of memory" in message or "DefaultCPUAllocator" in message):
            return (f"unusable on CPU: the reference ran out of memory while {what}{sizes} ({message}). Give the "
                    "problem smaller CPU sizes with a top-level CPU_SIZES = {\"name\": value, ...} dict (KernelBench "
                    f"ignores it), raise the limit with --memory-gb (now {self.opts.memory_gb:g}), or use --device cuda.")
        return (f"The reference (the problem's Model) failed while {what}{sizes}: {message}. The judge can only "
                "check candidates against a reference that runs; fix the problem file, or on CPU give it sizes "
                "that run with CPU_SIZES (or --sizes full to use them as written).")

    def ask(self, w: Worker, header: dict, payload: bytes = b"", what: str = "", max_payload: int = 1 << 30) -> Frame:
        try:
            w.send(header, payload)
        except ProtocolError as e:
            self.worker_failed(w, what or header["op"], e)
        return self.reply(w, what or header["op"], max_payload, op=header["op"])

    def worker_failed(self, w: Worker, what: str, e: ProtocolError):
        if w is self.ref:
            if e.kind == "timeout":
                raise Stop("timeout", f"the reference did not finish {what} within the {self.opts.timeout:g} s budget")
            how = w.exit_description(grace=3.0)
            out = w.output()
            cause = ""
            if "DefaultCPUAllocator" in out or "MemoryError" in out or how == "killed by signal SIGKILL":
                cause = (f"; it most likely ran out of memory (limit {self.opts.memory_gb:g} GB): give the problem "
                         "CPU_SIZES, raise --memory-gb, or use --device cuda")
            raise ProblemError(f"The reference worker died while {what} ({how}){cause}.\n{out[-1500:]}")
        err = {"output": w.output()[-4000:]}
        if e.kind == "timeout":
            raise Stop("timeout", f"the candidate did not finish {what} within the {self.opts.timeout:g} s timeout; "
                       "it and everything it started were killed", err)
        if e.kind == "oversize":
            raise Stop("incorrect", f"while {what}: {e} (its outputs are far larger than the reference's)", err)
        if e.kind == "malformed":
            raise Stop("rejected", f"the candidate's process sent a malformed reply while {what}: {e}", err)
        w.kill()
        raise Stop("runtime_error", f"the candidate's process died while {what} ({w.exit_description()})", err)

    def findings(self, findings, when: str):
        if not findings:
            return
        self.v.findings.extend(findings)
        f = findings[0]
        if f.get("sanitizer"):
            kind = "incorrect" if f["code"].startswith("race") else "runtime_error"
            gpu = "a data race on a GPU, where programs run at the same time" if kind == "incorrect" else \
                "an illegal memory access on a GPU"
            raise Stop(kind, f"{f['message']} ({when}): {gpu}")
        raise Stop("rejected", f"the candidate {f['message']} ({when})")

    def reply_cap(self) -> int:
        """Largest candidate reply accepted: a few times the reference's outputs and inputs."""
        return 4 * self.out_bytes + (8 << 20)

    def isolation_info(self, ch: dict) -> None:
        self.v.isolation = {"mode": isolation_mode(), "warm_workers": self.warm,
                            "candidate_uid": ch.get("uid"),
                            # lets a caller verify that nothing of this check outlived it
                            "worker_tokens": [self.ref.token, self.cand.token],
                            "read_only_failed": ch.get("ro_failed"), "interpreted": ch.get("interpret"),
                            "inputs_read_back": "shared memory, by the reference" if self.shm else
                            "through the candidate's reply"}
        if ch.get("ro_failed"):
            self.v.warnings.append("the sandbox could not make these paths read-only for the candidate: "
                                   + " ".join(ch["ro_failed"][:10]))
        if self.v.isolation["mode"] == "none":
            self.v.warnings.append("no namespaces on this machine: the candidate ran without network or "
                                   "filesystem isolation (see sandbox/isolation.py)")

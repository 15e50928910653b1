"""`check`: verify a candidate against a problem and time both, treating the candidate as an adversary.

Three processes take part. This one (the judge) never imports torch and never runs problem or
candidate code; it only routes bytes and decides. The reference worker loads the problem, makes
inputs, computes reference outputs and compares (it is trusted: it only runs the user's problem
file). The candidate worker loads the candidate and never sees the problem file or a reference
output. Both run in the sandbox (kopt.sandbox.isolation).

Correctness: trials on fresh inputs from unpredictable seeds, a call that reuses the same input
buffers (same addresses) with new contents, a call whose contents are a rotation of earlier ones,
the outputs of randomly chosen timed calls (which call is checked is decided after it returned),
and a late call after timing. Every reply's outputs and post-call inputs are compared in the
reference worker. Timing is interleaved, same code for both sides, cross-checked on this
process's own clock.
"""
from __future__ import annotations

import os
import random
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass

from kopt.sandbox.isolation import Limits, Worker, isolation_mode
from kopt.sandbox.protocol import Frame, ProtocolError, describe
from kopt.tools import loader
from kopt.tools.integrity import scan_source
from kopt.tools.timing import summarize
from kopt.tools.verdict import ProblemError, Verdict
from kopt.tools.xcompile import DEFAULT_TARGET

WORKER = ["-m", "kopt.sandbox.worker"]


@dataclass
class CheckOptions:
    device: str = "auto"
    timeout: float = 60.0
    seed: int | None = None          # fixes the judge's randomness (tests); default unpredictable
    sizes: str = "auto"              # "auto" (shrink big problems on CPU) or "full"
    memory_gb: float = 8.0
    xcompile: str | None = DEFAULT_TARGET  # on CPU, compile the kernels for this GPU (None: skip)
    ncu: bool = False                      # on a GPU, profile the candidate with Nsight Compute if present


class _Stop(Exception):
    """Ends a check early with a verdict."""

    def __init__(self, status: str, reason: str, error: dict | None = None):
        super().__init__(reason)
        self.status, self.reason, self.error = status, reason, error


def _has_subclass(spec) -> bool:
    """Whether an encoded reply's output holds a tensor that was not a plain torch.Tensor."""
    if not isinstance(spec, dict):
        return False
    if spec.get("t") == "tensor":
        return spec.get("plain") is False
    items = spec.get("items") or []
    if spec.get("t") == "dict":
        return any(_has_subclass(v) for k, v in items if k == "out")
    return any(_has_subclass(x) for x in items)


def resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if os.path.exists("/dev/nvidiactl") else "cpu"
    return device


class Check:
    def __init__(self, candidate: str, problem: str, opts: CheckOptions, progress=None):
        self.cand_path, self.prob_path, self.opts = os.path.abspath(candidate), os.path.abspath(problem), opts
        self.device = resolve_device(opts.device)
        self.rng = random.Random(opts.seed if opts.seed is not None else secrets.randbits(64))
        self.progress = progress or (lambda msg: None)
        self.v = Verdict(status="correct", reason="", device=self.device, candidate=candidate, problem=problem)
        self.t0 = time.monotonic()
        self.deadline = self.t0 + opts.timeout
        self.ref: Worker | None = None
        self.cand: Worker | None = None
        self.out_bytes = 1 << 20
        self._stack: list = []

    # ------------------------------------------------------------------ plumbing
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

    def _reply(self, w: Worker, what: str, max_payload: int = 1 << 30) -> Frame:
        """Receive one reply; turn every way a worker can fail into a verdict."""
        try:
            frame = w.recv(deadline=self.deadline, max_payload=max_payload)
        except ProtocolError as e:
            self._worker_failed(w, what, e)
        h = frame.header
        if h.get("op") == "error":
            err = {"kind": h.get("kind"), "message": h.get("message"), "traceback": h.get("traceback"),
                   "output": w.output()[-4000:]}
            if w is self.ref:
                raise ProblemError(f"The reference (the problem's Model) failed while {what}: {h.get('message')}. "
                                   "Fix the problem file: the judge can only check candidates against a reference "
                                   "that runs.")
            status = h.get("kind") if h.get("kind") in ("compile_error", "runtime_error", "timeout") else "runtime_error"
            raise _Stop(status, f"{h.get('message')} (while {what})", err)
        return frame

    def _ask(self, w: Worker, header: dict, payload: bytes = b"", what: str = "", max_payload: int = 1 << 30) -> Frame:
        try:
            w.send(header, payload)
        except ProtocolError as e:
            self._worker_failed(w, what or header["op"], e)
        return self._reply(w, what or header["op"], max_payload)

    def _worker_failed(self, w: Worker, what: str, e: ProtocolError):
        if w is self.ref:
            if e.kind == "timeout":
                raise _Stop("timeout", f"the reference did not finish {what} within the {self.opts.timeout:g} s budget")
            raise ProblemError(f"The reference worker died while {what} ({w.exit_description()}).\n{w.output()[-1500:]}")
        err = {"output": w.output()[-4000:]}
        if e.kind == "timeout":
            raise _Stop("timeout", f"the candidate did not finish {what} within the {self.opts.timeout:g} s timeout; "
                        "it and everything it started were killed", err)
        if e.kind == "oversize":
            raise _Stop("incorrect", f"while {what}: {e} (its outputs are far larger than the reference's)", err)
        if e.kind == "malformed":
            raise _Stop("rejected", f"the candidate's process sent a malformed reply while {what}: {e}", err)
        w.kill()
        raise _Stop("runtime_error", f"the candidate's process died while {what} ({w.exit_description()})", err)

    # ------------------------------------------------------------------ phases
    def run(self) -> Verdict:
        try:
            self._static()
            self._start()
            self._correctness()
            self._timing()
            self._late_check()
            self._ncu()
            self._finish()
        except _Stop as s:
            self.v.status, self.v.reason, self.v.error = s.status, s.reason, s.error
        finally:
            for w in (self.cand, self.ref):
                if w is not None:
                    w.close()
            self.v.elapsed_s = round(time.monotonic() - self.t0, 3)
        return self.v

    def _static(self):
        with self.phase("static checks"):
            try:
                prob = loader.inspect_file(self.prob_path, "problem")
            except loader.LoadError as e:
                raise ProblemError(str(e)) from None
            try:
                cand = loader.inspect_file(self.cand_path, "candidate")
                loader.check_signatures(prob, cand)
            except loader.LoadError as e:
                raise _Stop("compile_error", str(e)) from None
            findings = scan_source(cand.source)
            # Test-only knob: the test suite turns the scan off to prove the runtime layers hold alone.
            if findings and os.environ.get("KOPT_TEST_SKIP_STATIC_SCAN") == "1":
                self.v.warnings.append(f"static scan findings ignored (test mode): {len(findings)}")
                findings = []
            if findings:
                self.v.findings = [f.as_dict() for f in findings]
                first = findings[0]
                raise _Stop("rejected", f"the candidate {first.message} (line {first.line})"
                            + (f", and {len(findings) - 1} more finding(s)" if len(findings) > 1 else ""))

    def _start(self):
        with self.phase("process start"):
            limits = Limits(timeout_s=self.opts.timeout,
                            memory_bytes=None if self.device.startswith("cuda") else int(self.opts.memory_gb * (1 << 30)))
            # On CPU: the Triton interpreter, and one intra-op thread per worker; two workers with
            # a thread pool each on a busy machine time out of scheduler luck, not kernel speed.
            env = {"TRITON_INTERPRET": "1", "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")} \
                if self.device == "cpu" else {}
            self.ref = Worker(WORKER, Limits(timeout_s=self.opts.timeout, memory_bytes=limits.memory_bytes),
                              env, "ref")
            # The candidate's view of the problem file is an empty file: it cannot import the reference.
            self.cand = Worker(WORKER, limits, env, "cand", hide=[self.prob_path])
            self.ref.send({"op": "hello"})
            self.cand.send({"op": "hello"})
            # Queued behind hello so the reference loads while the candidate is still importing torch.
            self.load_seed = self.rng.randrange(1 << 31)
            self.ref.send({"op": "load_ref", "path": self.prob_path, "device": self.device,
                           "seed": self.load_seed, "sizes": self.opts.sizes})
        with self.phase("imports"):
            ch = self._reply(self.cand, "starting").header
            rh = self._reply(self.ref, "starting").header
            self.v.versions = {k: rh.get(k) for k in ("torch", "triton", "python", "device_name")}
            self.v.isolation = {"mode": isolation_mode(), "candidate_uid": ch.get("uid"),
                                # lets a caller verify that nothing of this check outlived it
                                "worker_tokens": [self.ref.token, self.cand.token],
                                "read_only_failed": ch.get("ro_failed"), "interpreted": ch.get("interpret")}
            if ch.get("ro_failed"):
                self.v.warnings.append("the sandbox could not make these paths read-only for the candidate: "
                                       + " ".join(ch["ro_failed"][:10]))
            if self.v.isolation["mode"] == "none":
                self.v.warnings.append("no namespaces on this machine: the candidate ran without network or "
                                       "filesystem isolation (see sandbox/isolation.py)")
            if self.device.startswith("cuda") and not rh.get("cuda"):
                raise ProblemError("--device cuda was requested but torch sees no GPU.")
        with self.phase("reference"):
            seed = self.load_seed
            f = self._reply(self.ref, "loading the problem")
            self.v.sizes = {"note": f.header["size_note"], "changed": f.header["sizes"]}
        with self.phase("candidate load"):
            c = self._ask(self.cand, {"op": "load_cand", "path": self.cand_path, "device": self.device,
                                      "seed": seed, "spec": f.header["spec"]}, f.payload, what="loading")
            self._findings(c.header.get("findings"), "loading")
            if c.header.get("unmatched"):
                self.v.warnings.append("reference parameters with no same-named, same-shaped parameter in "
                                       f"ModelNew: {', '.join(c.header['unmatched'][:8])}")

    def _findings(self, findings, when: str):
        if findings:
            self.v.findings.extend(findings)
            raise _Stop("rejected", f"the candidate {findings[0]['message']} ({when})")

    def _new_slot(self, slot: int):
        with self.phase("reference"):
            f = self._ask(self.ref, {"op": "gen", "slot": slot, "seed": self.rng.randrange(1 << 31)},
                          what="making inputs")
        self.out_bytes = max(self.out_bytes, len(f.payload))
        if not self.v.inputs:
            self.v.inputs = [describe(x) for x in f.header["spec"].get("items", [])]
        with self.phase("candidate"):
            self._ask(self.cand, {"op": "put", "slot": slot, "spec": f.header["spec"]}, f.payload,
                  what="receiving inputs")

    def _verify(self, reply: Frame, slot: int, shift: int, label: str, require_inputs: bool = True):
        """Have the reference worker compare a candidate reply; stop on any mismatch."""
        if _has_subclass(reply.header.get("spec")):
            raise _Stop("rejected", f"{label}: the candidate returned a torch.Tensor subclass, not a plain tensor")
        with self.phase("comparison"):
            m = self._ask(self.ref, {"op": "compare", "slot": slot, "shift": shift, "spec": reply.header["spec"],
                                     "require_inputs": require_inputs}, reply.payload, what="comparing").header
        self.v.trials.append({"trial": label, "match": m["match"], "reason": m["reason"],
                              "inputs_changed": m.get("inputs_changed"), "metrics": m["metrics"]})
        if not m["match"]:
            raise _Stop("incorrect", f"{label}: {m['reason']}")
        if m.get("inputs_changed"):
            raise _Stop("rejected", f"{label}: {m['inputs_changed']}; inputs must be left unchanged")

    def _cap(self) -> int:
        return 4 * self.out_bytes + (8 << 20)

    def _call(self, slot: int, shift: int, reuse: bool, label: str):
        with self.phase("candidate"):
            r = self._ask(self.cand, {"op": "call", "slot": slot, "shift": shift, "reuse": reuse},
                          what=f"running forward ({label})", max_payload=self._cap())
        self._findings(r.header.get("findings"), label)
        self._verify(r, slot, shift, label)
        self.call_ms.append(r.header["ms"])
        out_spec = next((v for k, v in r.header["spec"].get("items", []) if k == "out"), None)
        if out_spec and not self.v.outputs:
            self.v.outputs = describe(out_spec)
        if not self.v.kernels:
            self.v.kernels = r.header.get("kernels") or []

    def _correctness(self):
        self.call_ms: list[float] = []
        with self.phase("correctness"):
            for slot in range(3):
                self._new_slot(slot)
            d = self._ask(self.ref, {"op": "degenerate", "slots": [0, 1]}, what="checking the problem").header
            if d.get("degenerate"):
                self.v.degenerate = d["degenerate"]
                self.v.warnings.append(f"degenerate problem: {d['degenerate']}; a passing check proves little")
            self._call(0, 0, False, "trial 1 (fresh inputs)")
            self._xcompile()
            self._call(1, 0, False, "trial 2 (fresh inputs, new seed)")
            self._call(2, 0, True, "trial 3 (same input buffers, new contents)")
            # Timed calls follow with rotated contents in these same buffers, and are verified too.

    def _xcompile(self):
        """Compile the kernels trial 1 launched for the target GPU (CPU runs only: on a GPU the JIT
        has compiled them for real). A kernel that cannot be compiled fails the check."""
        from kopt.tools import xcompile
        if self.device != "cpu":
            self.v.xcompile = xcompile.native_summary(self.v.kernels, self.v.versions.get("device_name")) or {}
            return
        if not self.opts.xcompile or not self.v.kernels:
            return
        with self.phase("cross-compile"):
            step = xcompile.Step(self.opts.xcompile, self.cand_path, self.v.versions.get("triton"))
            items = step.plan(self.v.kernels)
            if items:
                h = self._ask(self.cand, {"op": "xcompile", "path": self.cand_path, "cc": step.cc, "items": items,
                                          "budget_s": self.deadline - time.monotonic()},
                              what=f"cross-compiling its Triton kernels for {step.target}").header
                step.absorb(h.get("results"))
            self.v.xcompile = step.summary()
            bad = step.first_error()
            if bad:
                raise _Stop("compile_error", f"Triton kernel `{bad['name']}` runs in the interpreter but does not compile "
                            f"for {step.target}: {xcompile.short_error(bad['error'])[:600]}", {"output": bad["error"]})

    def _timing(self):
        with self.phase("timing"):
            cuda = self.device.startswith("cuda")
            per_call = max(sorted(self.call_ms)[len(self.call_ms) // 2], 1e-3) / 1e3  # median: one slow call is noise
            left = self.deadline - time.monotonic()
            # CPU times (interpreted Triton above all) say little, so they get a small budget;
            # a slow candidate gets few trials, and a third of what is left stays in reserve.
            budget = max(0.0, min(left / 3, 3.0 if cuda else 0.5))
            n_total = int(budget / (2 * per_call)) if per_call > 0 else 0
            # Two interleaved rounds at the least; on the CPU one slow call per round is enough
            # to rank (and the verdict says these times mean nothing for a GPU).
            n_total = max(4 if cuda or per_call < 0.05 else 2, min(n_total, 200 if cuda else 20))
            rounds = 5 if cuda and n_total >= 50 else 2
            per_round = max(1, n_total // rounds)
            ref_ms, cand_ms, charged = [], [], 0
            walls = {"ref": 0.0, "cand": 0.0}
            for r in range(rounds):
                order = ("ref", "cand") if r % 2 == 0 else ("cand", "ref")
                for who in order:
                    w = self.ref if who == "ref" else self.cand
                    # Random batch lengths: no call position is safe to cheat on, since any call
                    # may end its batch (and the last output of every batch is checked).
                    k = self.rng.randint(1, 2 * per_round - 1) if who == "cand" else per_round
                    schedule = [[self.rng.randrange(3), self.rng.randrange(1 << 30)] for _ in range(k)]
                    t = time.monotonic()
                    h = self._ask(w, {"op": "time", "schedule": schedule}, what="timing").header
                    walls[who] += (time.monotonic() - t) * 1e3
                    (ref_ms if who == "ref" else cand_ms).extend(h["ms"])
                    if who == "cand":
                        charged += h.get("host_charged", 0)
                        self._findings(h.get("findings"), "timing")
                        # Verified, chosen now that the calls have returned: the batch's last call
                        # and up to two random earlier ones (kept outside the timed region).
                        kept = h.get("kept") or []
                        for idx in [-1] + self.rng.sample(kept, min(2, len(kept))):
                            got = self._ask(self.cand, {"op": "kept", "index": idx}, what="returning a timed output",
                                            max_payload=self._cap())
                            slot, shift = got.header["key"]
                            self._verify(got, slot, shift, f"timed call {len(cand_ms) - len(h['ms']) + (idx % len(h['ms'])) + 1}",
                                         require_inputs=idx == -1)
            self.v.timing = {"reference": summarize(ref_ms), "candidate": summarize(cand_ms),
                             "reference_trials_ms": ref_ms, "candidate_trials_ms": cand_ms,
                             "rounds": rounds, "host_charged_trials": charged,
                             "clock": "cuda events (host clock where work outlived forward)" if cuda else "host wall clock"}
            if charged:
                self.v.warnings.append(f"{charged} timed call(s) left GPU work running after forward returned; "
                                       "they were charged the full time until the device was idle")
            # Judge-clock cross-checks: nothing the worker reports can exceed what we saw pass.
            for who, ms in (("ref", ref_ms), ("cand", cand_ms)):
                if sum(ms) > walls[who] * 1.02 + 1.0:
                    raise _Stop("rejected", f"the {'candidate' if who == 'cand' else 'reference'} worker reported "
                                f"{sum(ms):.1f} ms of timed work in {walls[who]:.1f} ms of judge time")
            self._judge_clock(walls, {"ref": len(ref_ms), "cand": len(cand_ms)})

    def _judge_clock(self, walls: dict, counts: dict):
        """Each side's time per call on this process's clock; a faked in-worker timer shows up here.

        Back-to-back calls with one sync at the end; for slow CPU calls the timing batches
        themselves already are such a measurement (their refresh copies are tiny beside them).
        A busy machine only ever makes the judge's clock read *longer*, so a suspicious ratio is
        measured again and the smallest estimate counts: load alone never convicts.
        """
        medians = {"ref": self.v.timing["reference"]["median"] or 1.0,
                   "cand": self.v.timing["candidate"]["median"] or 1.0}
        workers = {"ref": self.ref, "cand": self.cand}
        est, calls = {}, {}
        for who in ("ref", "cand"):
            if not self.device.startswith("cuda") and medians[who] > 20 and counts[who]:
                est[who], calls[who] = walls[who] / counts[who], 0
            else:
                est[who], calls[who] = self._bulk_estimate(workers[who], medians[who])
        ratio = lambda who: medians[who] / est[who] if est[who] > 0 else float("inf")
        suspicious = lambda: ratio("cand") < 0.3 * min(1.0, ratio("ref")) and est["cand"] > 0.05
        for _ in range(2):
            if not suspicious():
                break
            est["cand"] = min(est["cand"], self._bulk_estimate(self.cand, medians["cand"])[0])
        self.v.timing["judge_clock_ms"] = {"reference": est["ref"], "candidate": est["cand"], "calls": calls}
        self.v.timing["judge_clock_ratio"] = {"reference": ratio("ref"), "candidate": ratio("cand")}
        # Flushed single calls are never much faster than back-to-back ones on the same clock.
        if suspicious():
            raise _Stop("rejected", f"the candidate's reported time ({medians['cand']:.3f} ms) is far below what "
                        f"the judge's own clock measured ({est['cand']:.3f} ms per call): its timer was faked")

    def _bulk_estimate(self, w: Worker, median_ms: float) -> tuple[float, int]:
        # Enough calls that the round trip (~1 ms) is small beside them, capped in time.
        n = max(1, min(500, int(50 / max(median_ms, 1e-3))))
        t = time.monotonic()
        self._ask(w, {"op": "bulk", "slot": 0, "n": 0}, what="timing")
        rpc = time.monotonic() - t
        t = time.monotonic()
        self._ask(w, {"op": "bulk", "slot": 0, "n": n}, what="timing")
        return max(time.monotonic() - t - rpc, 0.0) * 1e3 / n, n

    def _late_check(self):
        with self.phase("late check"):
            self._new_slot(3)
            self._call(3, 0, True, "late trial (after timing, same buffers)")

    def _ncu(self):
        from kopt.tools import ncu
        if not self.opts.ncu:
            return
        self.v.ncu = ncu.availability(self.device, True)
        if not self.v.ncu["available"]:
            self.v.warnings.append(f"no Nsight Compute metrics: {self.v.ncu['reason']}")
            return
        with self.phase("ncu"):
            h = self._ask(self.cand, {"op": "ncu", "path": self.cand_path, "ncu": self.v.ncu["ncu"],
                                      "metrics": list(ncu.METRICS), "budget_s": self.deadline - time.monotonic()},
                          what="running under Nsight Compute").header
        self.v.ncu = ncu.parse(str(h.get("output", "")), h.get("returncode", -1))
        if not self.v.ncu["available"]:
            self.v.warnings.append(f"no Nsight Compute metrics: {self.v.ncu['reason']}")

    def _finish(self):
        t = self.v.timing
        self.v.reference_ms = t["reference"]["median"]
        self.v.candidate_ms = t["candidate"]["median"]
        if self.v.reference_ms and self.v.candidate_ms:
            self.v.speedup = self.v.reference_ms / self.v.candidate_ms
        self.v.reason = (f"all {len(self.v.trials)} comparisons matched the reference "
                         f"({len([x for x in self.v.trials if 'timed' in x['trial']])} of them on timed calls)")
        if self.device == "cpu":
            note = ("Triton kernels ran in the interpreter on the CPU: these times say nothing about a GPU"
                    if self.v.isolation.get("interpreted") else "times are CPU wall-clock times")
            self.v.timing["note"] = note
            self.v.warnings.append(note)


def check(candidate: str, problem: str, opts: CheckOptions | None = None, progress=None) -> Verdict:
    """Verify and time `candidate` against `problem`. Raises ProblemError for an unusable problem."""
    return Check(candidate, problem, opts or CheckOptions(), progress).run()

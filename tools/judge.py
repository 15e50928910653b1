"""`check`: verify a candidate against a problem and time both, treating the candidate as an adversary.

Three processes take part. This one (the judge) never imports torch and never runs problem or
candidate code; it only routes bytes and decides. The reference worker (sandbox/ref_worker.py)
loads the problem, makes inputs, computes reference outputs and compares (it only runs the user's
problem file). The candidate worker (sandbox/cand_worker.py) loads the candidate and never sees
the problem file or a reference output. Both run in the sandbox (kopt.sandbox.isolation).

The schedule, and what each step guarantees:
  static scan → the judged configuration (tools/judge_trials.py: fresh inputs, reused buffers,
  probes, new weights like a checkpoint, buffers, output lifetime) → cross-compilation of the
  kernels launched so far → interleaved timing, its outputs verified at random
  (tools/judge_timing.py) → a late call → two unseen configurations, checked not timed
  (tools/judge_configs.py) → the kept output rechecked → cross-compilation of every kernel first
  launched later. A verdict lists each configuration it covered; what it could not cover is a
  warning ("verified at the judged configuration only").
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace

from kopt.tools import loader
from kopt.tools.integrity import scan_source
from kopt.tools.judge_configs import Configs
from kopt.tools.judge_session import Session, Stop, resolve_device  # noqa: F401 - resolve_device is API
from kopt.tools.judge_timing import Timing
from kopt.tools.judge_trials import Trials
from kopt.tools.verdict import ProblemError, Verdict
from kopt.tools.xcompile import DEFAULT_TARGET


@dataclass
class CheckOptions:
    device: str = "auto"
    timeout: float = 60.0
    seed: int | None = None          # fixes the judge's randomness (tests); default unpredictable
    sizes: str = "auto"              # "auto" (shrink big problems on CPU) or "full"
    memory_gb: float = 8.0
    xcompile: str | None = DEFAULT_TARGET  # on CPU, compile the kernels for this GPU (None: skip)
    ncu: bool = False                      # on a GPU, profile the candidate with Nsight Compute if present
    unseen: int | None = None              # unseen configurations besides the judged one (None: one smaller,
                                           # and one per size, up to 3, that grows it several times over)
    final: bool = False                    # also verify in a plain process with no kopt code (written winners)


class Check(Session, Trials, Timing, Configs):
    def __init__(self, candidate: str, problem: str, opts: CheckOptions, progress=None):
        super().__init__(candidate, problem, opts, progress)
        self.slot_specs: dict = {}
        self.kernel_records: dict = {}
        self.compiled: set = set()
        self.xstep = None
        self.region = None
        self.call_ms: list[float] = []

    def run(self) -> Verdict:
        try:
            self.static()
            self.start()
            self.correctness()
            self.timing()
            self.refill()  # the next check's workers import while this one's untimed checks run
            self.late_check()
            self.v.configs[0]["match"] = True
            self.unseen_configs()
            self.recheck_kept()
            self.xcompile()
            self.unlaunched()
            self.ncu()
            if self.opts.final:
                from kopt.tools.plain import plain_verify
                plain_verify(self)
            self.finish()
        except Stop as s:
            self.v.status, self.v.reason, self.v.error = s.status, s.reason, s.error
            for c in self.v.configs:
                if c.get("match") is not True:
                    c.update(match=False, reason=c.get("reason") or s.reason)
        finally:
            self.close()
            self.v.elapsed_s = round(time.monotonic() - self.t0, 3)
        return self.v

    def static(self):
        with self.phase("static checks"):
            try:
                prob = loader.inspect_file(self.prob_path, "problem")
            except loader.LoadError as e:
                raise ProblemError(str(e)) from None
            try:
                cand = loader.inspect_file(self.cand_path, "candidate")
                loader.check_signatures(prob, cand)
            except loader.LoadError as e:
                raise Stop("compile_error", str(e)) from None
            findings = scan_source(cand.source)
            branches = [f for f in findings if f.code == "device_branch"]
            findings = [f for f in findings if f.code != "device_branch"]
            # Test-only knob: the test suite turns the scan off to prove the runtime layers hold alone.
            if findings and os.environ.get("KOPT_TEST_SKIP_STATIC_SCAN") == "1":
                self.v.warnings.append(f"static scan findings ignored (test mode): {len(findings)}")
                findings = []
            if findings:
                self.v.findings = [f.as_dict() for f in findings]
                first = findings[0]
                raise Stop("rejected", f"the candidate {first.message} (line {first.line})"
                           + (f", and {len(findings) - 1} more finding(s)" if len(findings) > 1 else ""))
            if branches:
                self.v.findings = [f.as_dict() for f in branches]
                first = branches[0]
                if self.device == "cpu":
                    # What ran on the CPU would not be what runs on a GPU: that path was never checked.
                    raise Stop("rejected", f"the candidate {first.message} (line {first.line}): on the CPU the "
                               "judge cannot run the GPU path it would take, so it cannot verify it")
                self.v.warnings.append(f"the candidate {first.message} (line {first.line}); only the {self.device} "
                                       "path was checked")
            self.uses_dynamo = any(s in cand.source for s in ("torch.compile", "_dynamo", "_inductor"))
            if self.uses_dynamo:
                # torch.compile compiles again at every new shape (each unseen configuration), which
                # on a loaded CPU took 40 s of a 60 s budget for an honest candidate: the budget,
                # and the workers' CPU limits with it, are doubled rather than call it a timeout.
                self.opts = replace(self.opts, timeout=self.opts.timeout * 2)
                self.deadline = self.t0 + self.opts.timeout
                self.v.warnings.append(f"torch.compile: the check's budget is doubled to {self.opts.timeout:g} s "
                                       "(it compiles again at every configuration)")
            self.defined_kernels = loader.jit_kernels(cand.tree)

    def start(self):
        with self.phase("process start"):
            self.spawn()
            self.ref.send({"op": "hello"})
            self.cand.send({"op": "hello"})
            # Queued behind hello so the reference loads while the candidate is still importing torch.
            self.load_seed = self.rng.randrange(1 << 31)
            self.ref.send({"op": "load_ref", "path": self.prob_path, "device": self.device,
                           "seed": self.load_seed, "sizes": self.opts.sizes})
        with self.phase("imports"):
            ch = self.reply(self.cand, "starting", op="hello").header
            rh = self.reply(self.ref, "starting").header
            self.v.versions = {k: rh.get(k) for k in ("torch", "triton", "python", "device_name")}
            self.isolation_info(ch)
            if self.device.startswith("cuda") and not rh.get("cuda"):
                raise ProblemError("--device cuda was requested but torch sees no GPU.")
        with self.phase("reference"):
            f = self.reply(self.ref, "loading the problem")
            self.v.sizes = {"note": f.header["size_note"], "changed": f.header["sizes"]}
            self.v.tolerance = tolerance_words(f.header.get("tolerance"))
            self.judged_config(f.header)
            if self.shm is not None:  # before any candidate code exists (see SharedInputs)
                self.shm.seal(int(f.header.get("input_bytes") or 0))
        source, names = self.candidate_for(self.judged_values)
        if names:
            self.v.configs[0]["candidate_constants"] = names
        with self.phase("candidate load"):
            c = self.ask(self.cand, {"op": "load_cand", "path": self.cand_path, "source": source, "device": self.device,
                                     "seed": self.load_seed, "spec": f.header["spec"], "sanitize": self.device == "cpu",
                                     "preimport_dynamo": self.uses_dynamo}, f.payload, what="loading")
            self.findings(c.header.get("findings"), "loading")
            if c.header.get("unmatched"):
                self.v.warnings.append("reference parameters with no same-named, same-shaped parameter in "
                                       f"ModelNew (a checkpoint of Model would not load into them): "
                                       f"{', '.join(c.header['unmatched'][:8])}")

    def xcompile(self):
        """Compile, for the target GPU, every kernel launched so far and not compiled yet (CPU runs
        only: on a GPU the JIT has compiled them for real). A kernel that cannot compile fails."""
        from kopt.tools import xcompile
        kernels = [k for name, k in self.kernel_records.items() if name not in self.compiled]
        if self.device != "cpu":
            self.v.xcompile = xcompile.native_summary(list(self.kernel_records.values()),
                                                      self.v.versions.get("device_name")) or {}
            return
        if not self.opts.xcompile or not kernels:
            return
        with self.phase("cross-compile"):
            if self.xstep is None:
                self.xstep = xcompile.Step(self.opts.xcompile, self.cand_path, self.v.versions.get("triton"))
            step = self.xstep
            items = step.plan(kernels)
            self.compiled.update(k["name"] for k in kernels)
            if items:
                h = self.ask(self.cand, {"op": "xcompile", "path": self.cand_path, "cc": step.cc, "items": items,
                                         "budget_s": self.deadline - time.monotonic()},
                             what=f"cross-compiling its Triton kernels for {step.target}").header
                step.absorb(h.get("results"))
            self.v.xcompile = step.summary()
            bad = step.first_error()
            if bad:
                later = self.kernel_records.get(bad["name"], {}).get("first_seen")
                when = f" (first launched in {later})" if later and not later.startswith("trial 1") else ""
                raise Stop("compile_error", f"Triton kernel `{bad['name']}`{when} runs in the interpreter but does not "
                           f"compile for {step.target}: {xcompile.short_error(bad['error'])[:600]}",
                           {"output": bad["error"]})

    def unlaunched(self):
        """A kernel the file defines but no checked call launched sits on a path this check never
        took (a size-dependent dispatch, say): it was neither run nor compiled, and the verdict and
        every file written from it say so."""
        never = [k for k in getattr(self, "defined_kernels", []) if k not in self.kernel_records]
        if never and self.kernel_records:
            self.v.warnings.append(f"never launched in any checked call: {', '.join(never[:6])} (a path taken only "
                                   "at other sizes or arguments; it was neither run nor compiled for the GPU)")

    def ncu(self):
        from kopt.tools import ncu
        if not self.opts.ncu:
            return
        self.v.ncu = ncu.availability(self.device, True)
        if not self.v.ncu["available"]:
            self.v.warnings.append(f"no Nsight Compute metrics: {self.v.ncu['reason']}")
            return
        with self.phase("ncu"):
            h = self.ask(self.cand, {"op": "ncu", "path": self.cand_path, "ncu": self.v.ncu["ncu"],
                                     "metrics": list(ncu.METRICS), "budget_s": self.deadline - time.monotonic()},
                         what="running under Nsight Compute").header
        self.v.ncu = ncu.parse(str(h.get("output", "")), h.get("returncode", -1))
        if not self.v.ncu["available"]:
            self.v.warnings.append(f"no Nsight Compute metrics: {self.v.ncu['reason']}")

    def finish(self):
        t = self.v.timing
        self.v.reference_ms = t["reference"]["median"]
        self.v.candidate_ms = t["candidate"]["median"]
        if self.v.reference_ms and self.v.candidate_ms:
            self.v.speedup = self.v.reference_ms / self.v.candidate_ms
        compared = [x for x in self.v.trials if "match" in x]
        unseen = [c for c in self.v.configs if c["kind"] == "unseen"]
        self.v.reason = (f"all {len(compared)} comparisons matched the reference "
                         f"({len([x for x in compared if 'timed' in x['trial']])} of them on timed calls), "
                         f"at the judged sizes and {len(unseen)} unseen configuration(s)"
                         + "".join(f"; {c['description']}" for c in unseen))
        if self.device == "cpu":
            note = ("Triton kernels ran in the interpreter on the CPU: these times say nothing about a GPU"
                    if self.v.isolation.get("interpreted") else "times are CPU wall-clock times")
            self.v.timing["note"] = note
            self.v.warnings.append(note)


def tolerance_words(t) -> str:
    from kopt.tools.compare import POINTWISE_FP32, TOLERANCES
    if t and t.get("pointwise"):
        r, a, l2 = POINTWISE_FP32
        return (f"fp32 without matmul, convolution or attention in the reference: rtol {r:g}, atol {a:g} x the "
                f"reference RMS, relative L2 {l2:g}")
    if t:
        return f"the problem's KOPT_TOLERANCE: {t}"
    r, a, l2 = TOLERANCES["float32"]
    return f"per dtype (fp32: rtol {r:g}, atol {a:g} x the reference RMS, relative L2 {l2:g}, TF32-level)"


def check(candidate: str, problem: str, opts: CheckOptions | None = None, progress=None) -> Verdict:
    """Verify and time `candidate` against `problem`. Raises ProblemError for an unusable problem."""
    return Check(candidate, problem, opts or CheckOptions(), progress).run()

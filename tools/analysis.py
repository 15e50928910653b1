"""`analyze`: how far a problem (and a candidate) is from the hardware limit, with no GPU needed.

1. FLOPs and compulsory bytes of the problem's forward, counted in a sandboxed reference worker
   (kopt.tools.flops; the judge process never imports torch).
2. The roofline lower bound on every device of the table, and the bound kind on the chosen one
   (kopt.tools.roofline).
3. With a candidate: a full check (kopt.tools.judge) with cross-compilation for the target, so
   the candidate's kernels come with registers, spills, shared memory and occupancy; on a GPU,
   the measured times become GB/s, TFLOP/s and % of the roofline.
"""
from __future__ import annotations

import os
import time

from kopt.sandbox.isolation import Limits, Worker
from kopt.sandbox.protocol import ProtocolError
from kopt.tools import loader
from kopt.tools.devices import DEFAULT_DEVICE, Device, find_device, parse_target
from kopt.tools.roofline import achieved, all_devices, bound
from kopt.tools.verdict import ProblemError

WORKER = ["-m", "kopt.sandbox.ref_worker"]


def count(problem: str, timeout: float = 120.0) -> tuple[dict, dict]:
    """(counts, worker versions) of a problem file; ProblemError when it cannot be counted."""
    try:
        loader.inspect_file(problem, "problem")
    except loader.LoadError as e:
        raise ProblemError(str(e)) from None
    w = Worker(WORKER, Limits(timeout_s=timeout, memory_bytes=8 << 30), {"OMP_NUM_THREADS": "1"}, "ref")
    deadline = time.monotonic() + timeout
    try:
        w.send({"op": "hello"})
        w.send({"op": "count", "path": os.path.abspath(problem)})
        hello = w.recv(deadline=deadline, max_payload=1 << 20).header
        reply = w.recv(deadline=deadline, max_payload=1 << 20).header
    except ProtocolError as e:
        raise ProblemError(f"counting the problem's FLOPs failed: the worker {e} ({w.exit_description()}).\n"
                           f"{w.output()[-1500:]}") from None
    finally:
        w.close()
    if reply.get("op") == "error":
        raise ProblemError(f"The problem's Model could not be run to count its work: {reply.get('message')}. "
                           "Fix the problem file: kopt analyzes problems whose reference runs.")
    return reply["counts"], hello


def choose_device(device_name: str | None, gpu_name: str | None) -> Device:
    """--device-name, else the GPU this machine has (if the table knows it), else the default."""
    if device_name:
        dev = find_device(device_name)
        if dev is None:
            raise ValueError(device_name)
        return dev
    return find_device(gpu_name) or find_device(DEFAULT_DEVICE)


def problem_analysis(problem: str, device_name: str | None = None, timeout: float = 120.0) -> dict:
    """Counts and roofline of a problem. Raises ProblemError (unusable problem) or ValueError (unknown device)."""
    if device_name:
        choose_device(device_name, None)  # a bad name fails before any work
    counts, hello = count(problem, timeout)
    dev = choose_device(device_name, hello.get("device_name"))
    roof = bound(counts, dev)
    return {"problem": problem, "flops": counts["flops"], "bytes": counts["bytes"], "counts": counts,
            "device": dev.name, "bound": roof["bound"], "t_min_ms": roof["t_min_ms"], "roofline": roof,
            "devices": all_devices(counts)}


def measured(analysis: dict, v: dict) -> dict:
    """Rates and % of roofline of a verdict's times; only GPU times at the counted sizes qualify."""
    out = {"reference": None, "candidate": None}
    if not str(v.get("device", "")).startswith("cuda"):
        out["note"] = "no GPU time: the check ran on the CPU (interpreted), so no % of roofline"
        return out
    if analysis["counts"].get("counted_on") != "meta":
        out["note"] = "the FLOPs were counted at CPU sizes, the GPU ran the sizes as written: no % of roofline"
        return out
    dev = find_device(analysis["device"])
    out["reference"] = achieved(analysis["counts"], v.get("reference_ms"), dev)
    out["candidate"] = achieved(analysis["counts"], v.get("candidate_ms"), dev)
    return out


def analyze(problem: str, candidate: str | None = None, target: str = "sm_90", device_name: str | None = None,
            device: str = "auto", timeout: float = 60.0, ncu: bool = False, progress=None) -> dict:
    """The whole `kopt analyze` result (see the module docstring)."""
    from kopt.tools.judge import CheckOptions, check
    parse_target(target)  # TargetError before any work
    say = progress or (lambda msg: None)
    say("counting FLOPs and bytes")
    result = problem_analysis(problem, device_name, timeout=max(timeout, 60.0))
    result["target"] = f"sm_{parse_target(target)}"
    if candidate:
        say("checking the candidate and compiling its kernels")
        v = check(candidate, problem, CheckOptions(device=device, timeout=timeout, xcompile=target, ncu=ncu)).to_json()
        result["candidate"] = {"path": candidate, "status": v["status"], "reason": v["reason"], "device": v["device"],
                               "reference_ms": v["reference_ms"], "candidate_ms": v["candidate_ms"],
                               "speedup": v["speedup"], "launches": [{k: x.get(k) for k in ("name", "launches", "grid")}
                                                                     for x in v.get("kernels") or []],
                               "xcompile": v.get("xcompile") or {}, "ncu": v.get("ncu") or {},
                               "measured": measured(result, v), "warnings": v.get("warnings") or []}
    return result


def loop_analysis(problem) -> dict:
    """The analysis `kopt optimize` keeps in its run store; a failure is recorded, never fatal
    (the reference's own check decides whether the problem is usable; the roofline is advice)."""
    try:
        return problem_analysis(str(problem), None, timeout=120.0)
    except Exception as e:  # noqa: BLE001 - no roofline is better than no run
        return {"error": f"{type(e).__name__}: {str(e)[:300]}"}


_HINTS = {
    "memory": "Memory-bound: the time is set by bytes moved, not FLOPs. Read each input once and write each output "
              "once (fuse the whole forward into one kernel), keep intermediates in registers, use wide contiguous "
              "masked loads; extra arithmetic is nearly free.",
    "compute": "Compute-bound: the time is set by FLOPs. Run the matmuls on tensor cores with tl.dot (tiles of 64-128 "
               "for BLOCK_M/BLOCK_N, BLOCK_K >= 32, fp32 accumulator), and fuse the epilogue before the single store.",
}


def prompt_view(analysis: dict | None, reference_ms, best: dict | None, last: dict | None, device: str) -> dict | None:
    """What the LLM prompt says about the roofline (prompts/propose.j2), as ready-made strings."""
    from kopt.tools.roofline import fmt_count, fmt_ms
    if not analysis or "counts" not in analysis:
        return None
    counts, roof = analysis["counts"], analysis["roofline"]
    dev = find_device(analysis["device"])
    gpu = str(device).startswith("cuda") and counts.get("counted_on") == "meta" and dev is not None

    def rate(ms):
        a = achieved(counts, ms, dev) if gpu else None
        return None if a is None else {"ms": fmt_ms(ms), "pct": f"{a['pct_of_roofline']:.1f}",
                                       "gb_s": f"{a['gb_s']:.4g}", "tflop_s": f"{a['tflop_s']:.4g}"}

    advice: list[str] = []
    for who, row in (("best candidate", best), ("your previous attempt", last)):
        for line in (((row or {}).get("verdict") or {}).get("xcompile") or {}).get("advice") or []:
            if not any(line in a for a in advice):
                advice.append(f"{who}: {line}")
    return {"device": analysis["device"], "bound": roof["bound"], "t_min": fmt_ms(roof["t_min_ms"]),
            "flops": fmt_count(counts["flops"], "FLOP"), "bytes": fmt_count(counts["bytes"], "B"),
            "intensity": f"{roof['intensity']:.3g}" if roof.get("intensity") is not None else "?",
            "ridge": f"{roof['ridge']:.3g}", "gpu": gpu, "reference": rate(reference_ms),
            "best": rate(best.get("candidate_ms")) if best else None, "hint": _HINTS[roof["bound"]],
            "sizes": "as written" if counts.get("counted_on") == "meta" else f"at CPU sizes ({counts.get('sizes')})",
            "advice": advice[:4]}

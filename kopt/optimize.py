"""`kopt optimize` and `kopt show`: set up a run, drive the loop, re-verify the winner, write it out.

The run directory (default ./kopt-runs/<problem>-<time>) holds the SQLite run store and every
candidate's source. `--resume RUN_DIR` continues a run that was stopped or killed.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from kopt import ranking
from kopt.tools import warm
from kopt.tools.judge import CheckOptions, check
from kopt.tools.ncu import availability, wanted_from_env
from kopt.tools.roofline import fmt_ms


@dataclass
class Outcome:
    status: str                      # "improved", "verified_cpu", "no_improvement", "nothing_verified"
    message: str
    out: str | None = None
    best: dict | None = None
    stop_reason: str | None = None
    error: str | None = None
    extra: dict = field(default_factory=dict)


def self_candidate(problem: Path, run_dir: Path) -> Path:
    """The problem's own Model as a candidate (measures the reference, checks the problem is usable)."""
    p = run_dir / "reference_as_candidate.py"
    if not p.exists():
        p.write_text(problem.read_text() + "\n\nclass ModelNew(Model):\n    pass\n")
    return p


def make_check_fn(problem: Path, run_dir: Path, device: str, timeout: float, jobs: int = 1):
    # Many checks of one problem in this process: keep a worker pair per parallel check started
    # ahead (tools/warm.py), where the cores leave room for it; each pair serves one check only.
    if warm.worth_it(jobs):
        warm.enable(max(1, jobs))

    def check_fn(path: Path | None, ncu: bool = False, final: bool = False) -> dict:
        cand = path or self_candidate(problem, run_dir)
        v = check(str(cand), str(problem), CheckOptions(device=device, timeout=timeout, ncu=ncu, final=final))
        return v.to_json()
    return check_fn


def rerun_winner(store, check_fn, cpu: bool, on_event) -> dict | None:
    """Re-verify and re-time the best candidates in fresh processes; the first that holds wins."""
    for r in ranking.ordered(store.candidates(), cpu)[:3]:
        on_event("phase", text=f"re-verifying candidate #{r['id']} in fresh processes")
        # Nsight Compute only on request (KOPT_NCU=1): it replays every kernel many times.
        # New unseen configurations (each check draws its own), then a plain process with no kopt in it.
        v = check_fn(Path(r["path"]), ncu=wanted_from_env(), final=True)
        if v["status"] == "correct":
            return {**r, "final": v}
        on_event("phase", text=f"candidate #{r['id']} failed its re-check: {v['reason']}")
    return None


def header(winner: dict, problem: Path, cpu: bool, store_analysis: dict | None = None) -> str:
    v = winner["final"]
    t = v.get("timing", {})
    ver = v.get("versions") or {}
    lines = [f"# kopt: verified replacement for {problem.name} (candidate #{winner['id']}, {winner['origin']})",
             f"# verified {time.strftime('%Y-%m-%d %H:%M:%S')} on {v['device']}"
             f"{' (' + ver['device_name'] + ')' if ver.get('device_name') else ''}; torch {ver.get('torch')}, "
             f"triton {ver.get('triton')}",
             f"# {len(v.get('trials', []))} comparisons against the reference matched (fresh inputs, reused buffers, "
             f"timed and late calls)"]
    lines += [f"# {line}" for line in coverage_lines(v)]
    lines += [f"# {line}" for line in performance_lines(winner, store_analysis)]
    if cpu:
        kernels = ", ".join(k["name"] for k in v.get("kernels") or []) or "none (plain PyTorch)"
        lines += ["# VERIFIED ON CPU ONLY: Triton ran in the interpreter, so no GPU time was measured and",
                  "# nothing here says it is faster on a GPU. Ranked by: runs its own Triton kernels, fewer launches.",
                  f"# Triton kernels per forward: {kernels}"]
    else:
        lines.append(f"# speedup {v['speedup']:.3f}x: reference {v['reference_ms']:.4f} ms, candidate "
                     f"{v['candidate_ms']:.4f} ms (medians of {t.get('candidate', {}).get('n')} interleaved trials)")
    return "\n".join(lines) + "\n"


def coverage_lines(v: dict) -> list[str]:
    """Where the verdict holds: each configuration checked, and what could not be checked."""
    out = []
    for c in v.get("configs") or []:
        kind = "judged" if c.get("kind") == "judged" else "unseen"
        out.append(f"checked at {c['description']}" + ("" if kind == "judged" else " (unseen, drawn at check time)"))
    final = v.get("final") or {}
    if final.get("configs"):
        out.append("and again in a plain process with no kopt code, at " + "; ".join(final["configs"]))
    for w in v.get("warnings") or []:
        if w.startswith(("verified at the judged configuration", "never launched")):
            out.append(f"WARNING: {w}")
    return out


def finish(store, problem: Path, out_path: Path, check_fn, cpu: bool, on_event) -> Outcome:
    winner = rerun_winner(store, check_fn, cpu, on_event)
    if winner is None:
        return Outcome("nothing_verified", "no candidate was verified correct; nothing was written")
    v = winner["final"]
    own_kernels = any(k.get("launches") for k in v.get("kernels") or [])
    if not cpu and (v.get("speedup") or 0) <= 1.0:
        return Outcome("no_improvement", f"the best verified candidate (#{winner['id']}) is not faster than the "
                       f"reference ({v.get('speedup', 0):.3f}x); nothing was written", best=winner)
    if cpu and not own_kernels:
        return Outcome("no_improvement", "verified candidates only use plain PyTorch; nothing was written "
                       "(on CPU kopt only writes candidates that run their own Triton kernels)", best=winner)
    source = Path(winner["path"]).read_text()
    analysis = store.meta().get("analysis")
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(header(winner, problem, cpu, analysis) + source)
    except OSError as e:  # the run's result is not lost: the winner stays in the run directory
        return Outcome("error", f"could not write {out_path} ({e}); the verified winner "
                       f"(#{winner['id']}) is kept at {winner['path']}", best=winner)
    store.update_meta(out=str(out_path), winner=winner["id"])
    perf = "".join(f"\n{line}" for line in performance_lines(winner, analysis))
    if cpu:
        return Outcome("verified_cpu", f"wrote candidate #{winner['id']} to {out_path} (verified on CPU; "
                       f"not timed on a GPU){perf}", out=str(out_path), best=winner)
    return Outcome("improved", f"wrote candidate #{winner['id']} to {out_path}: {v['speedup']:.3f}x faster{perf}",
                   out=str(out_path), best=winner)


def performance_lines(winner: dict, analysis: dict | None) -> list[str]:
    """The roofline and the winner's kernel resources, one line each (file header, progress)."""
    out = []
    perf = performance(winner, analysis)
    if perf.get("bound"):
        pct = f"; the winner reaches {perf['pct_of_roofline']:.1f}% of it" if perf.get("pct_of_roofline") else ""
        out.append(f"roofline: {perf['bound']}-bound, lower bound {fmt_ms(perf['t_min_ms'])} on {perf['device']}{pct}")
    for k in perf.get("kernels") or []:
        spill = (k.get("stack_bytes") or 0) + (k.get("local_bytes") or 0)
        out.append(f"{perf['target']}: {k.get('name')} {k.get('status')}, {k.get('registers')} registers, "
                   f"{spill} B/thread spilled, {k.get('shared_bytes')} B shared, tensor cores: {k.get('tensor_cores') or 'none'}")
    return out


def performance(winner: dict | None, analysis: dict | None) -> dict:
    """Roofline (from the run store) and the winner's resource usage and % of roofline."""
    from kopt.tools.analysis import measured
    out: dict = {}
    if analysis and "counts" in analysis:
        out.update(bound=analysis["bound"], t_min_ms=analysis["t_min_ms"], device=analysis["device"],
                   flops=analysis["flops"], bytes=analysis["bytes"])
    elif analysis:
        out["error"] = analysis.get("error")
    v = (winner or {}).get("final") or {}
    if v and "counts" in (analysis or {}):
        m = measured(analysis, v).get("candidate")
        out["pct_of_roofline"] = m["pct_of_roofline"] if m else None
    x = v.get("xcompile") or {}
    out.update(target=x.get("target"), kernels=x.get("kernels") or [], advice=x.get("advice") or [])
    out["ncu"] = v.get("ncu") or availability(v.get("device", "cpu"), wanted_from_env())
    return out


def outcome_json(o: Outcome, store) -> dict:
    v = (o.best or {}).get("final") or {}
    u = store.usage()
    return {"analysis": performance(o.best, store.meta().get("analysis")),"status": o.status, "message": o.message, "best_status": v.get("status"), "best_id": (o.best or {}).get("id"),
            "speedup": v.get("speedup"), "candidate_ms": v.get("candidate_ms"), "reference_ms": v.get("reference_ms"),
            "device": v.get("device"), "out": o.out, "run_dir": str(store.run_dir), "stop_reason": o.stop_reason,
            "error": o.error, "tokens": u["prompt_tokens"] + u["completion_tokens"], "llm_calls": u["calls"],
            "candidates": len(store.candidates())}


def show(run_dir: Path) -> dict:
    from kopt.store import RunStore
    store = RunStore.open(run_dir)
    try:
        return {"summary": store.summary(), "candidates": store.candidates()}
    finally:
        store.close()


def describe_usage(store) -> str:
    u = store.usage()
    return f"{u['calls']} LLM calls, {u['prompt_tokens'] + u['completion_tokens']} tokens"


def dumps(obj) -> str:
    return json.dumps(obj, default=str)

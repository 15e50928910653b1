"""How long `kopt check` takes on a small candidate, where the time goes, and the judge's memory.

    .venv/bin/python benchmarks/check_overhead.py [--runs 3] [--device cpu]

1. Wall time of the real CLI (`kopt check --json`) on the shipped example: a fused elementwise
   Triton kernel over ~300k elements (64 x 4687, CPU_SIZES), run `--runs` times, with the judge's
   per-phase breakdown (process start, imports, reference, candidate, comparison, timing).
2. What cross-compiling the candidate's kernels for sm_90 adds to a check, with a cold and a warm
   cache, on the example and four honest corpus kernels.
3. The judge's own peak memory (this process runs the judge in-process; it never imports torch)
   while checking hostile candidates that print gigabytes or return gigantic outputs.

Prints a table and writes benchmarks/results/check_overhead.json with machine and versions.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROB = ROOT / "eval_suite/examples/silu_scale_residual.py"
CAND = ROOT / "eval_suite/examples/silu_scale_residual_triton.py"
HOSTILE = ROOT / "tests/corpus/candidates/hostile"


def cli_run(device: str, cand: Path = CAND, prob: Path = PROB, extra: tuple = (), env: dict | None = None) -> dict:
    t = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "kopt", "check", str(cand), "--ref", str(prob), "--json",
                        "--device", device, *extra], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, **(env or {})})
    wall = time.monotonic() - t
    v = json.loads(p.stdout.strip().splitlines()[-1])
    return {"wall_s": wall, "status": v["status"], "judge_s": v["elapsed_s"], "phases": v["phases"],
            "versions": v["versions"], "isolation": v["isolation"]["mode"]}


XCOMPILE_CASES = [(CAND, PROB)] + [
    (ROOT / "tests/corpus/candidates/honest" / c, ROOT / "tests/corpus/problems" / p)
    for c, p in (("softmax_rows__triton.py", "softmax_rows.py"), ("layer_norm__triton.py", "layer_norm.py"),
                 ("linear_relu__triton.py", "linear_relu.py"), ("bmm__triton.py", "bmm.py"))]


def xcompile_overhead(device: str) -> list[dict]:
    """What the sm_90 cross-compilation adds to a check: the same check without it, with a cold
    cache (compiles) and with a warm one (the same file checked again)."""
    import tempfile
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = {"KOPT_CACHE_DIR": cache}
        for cand, prob in XCOMPILE_CASES:
            off = cli_run(device, cand, prob, ("--no-xcompile",), env)
            cold = cli_run(device, cand, prob, (), env)
            warm = cli_run(device, cand, prob, (), env)
            rows.append({"candidate": cand.name, "off_s": off["judge_s"], "cold_s": cold["judge_s"],
                         "warm_s": warm["judge_s"], "xcompile_cold_s": cold["phases"].get("cross-compile", 0.0),
                         "xcompile_warm_s": warm["phases"].get("cross-compile", 0.0), "status": cold["status"]})
    return rows


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def judge_memory(device: str) -> list[dict]:
    from kopt.tools.judge import CheckOptions, check
    rows = []
    os.environ["KOPT_TEST_SKIP_STATIC_SCAN"] = "1"  # let the hostile code actually run
    try:
        for name in ("output_flood", "gigantic_output", "gigantic_expand_output", "mem_hog_torch_empty"):
            cand = HOSTILE / f"{name}.py"
            if not cand.exists():
                continue
            prob = ROOT / "tests/corpus/problems" / cand.read_text().split("problem=")[1].split()[0]
            before = maxrss_mb()
            t = time.monotonic()
            v = check(str(cand), str(prob), CheckOptions(device=device, timeout=20))
            rows.append({"candidate": name, "status": v.status, "wall_s": time.monotonic() - t,
                         "judge_maxrss_mb_before": before, "judge_maxrss_mb_after": maxrss_mb()})
    finally:
        os.environ.pop("KOPT_TEST_SKIP_STATIC_SCAN", None)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-xcompile", action="store_true")
    args = ap.parse_args()

    runs = [cli_run(args.device) for _ in range(args.runs)]
    phases = sorted({k for r in runs for k in r["phases"]}, key=lambda k: -sum(r["phases"].get(k, 0) for r in runs))
    print(f"kopt check on {CAND.name} ({args.device}), {args.runs} runs, {os.cpu_count()} cores")
    print(f"{'run':>4} {'status':>8} {'wall s':>8} {'judge s':>8}")
    for i, r in enumerate(runs, 1):
        print(f"{i:>4} {r['status']:>8} {r['wall_s']:>8.2f} {r['judge_s']:>8.2f}")
    walls = sorted(r["wall_s"] for r in runs)
    print(f"median wall {walls[len(walls) // 2]:.2f} s (CLI start {walls[len(walls) // 2] - sorted(r['judge_s'] for r in runs)[len(runs) // 2]:.2f} s outside the judge)")
    print("\nwhere the time goes (mean seconds per check):")
    for k in phases:
        print(f"  {k:<16} {sum(r['phases'].get(k, 0) for r in runs) / len(runs):6.3f}")

    xc = [] if args.skip_xcompile else xcompile_overhead(args.device)
    if xc:
        print("\ncross-compilation for sm_90 (judge seconds per check; the phase itself cold and warm):")
        print(f"  {'candidate':<32} {'off':>6} {'cold':>6} {'warm':>6} {'phase cold':>11} {'phase warm':>11}")
        for r in xc:
            print(f"  {r['candidate']:<32} {r['off_s']:>6.2f} {r['cold_s']:>6.2f} {r['warm_s']:>6.2f} "
                  f"{r['xcompile_cold_s']:>11.3f} {r['xcompile_warm_s']:>11.3f}")

    mem = [] if args.skip_memory else judge_memory(args.device)
    if mem:
        print("\njudge memory while checking hostile candidates (peak RSS of the judge process):")
        print(f"  {'candidate':<24} {'status':<14} {'wall s':>7} {'RSS before':>11} {'RSS after':>10}")
        for m in mem:
            print(f"  {m['candidate']:<24} {m['status']:<14} {m['wall_s']:>7.1f} "
                  f"{m['judge_maxrss_mb_before']:>9.0f}MB {m['judge_maxrss_mb_after']:>8.0f}MB")

    out = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": platform.machine(),
           "cpu": _cpu_name(), "cores": os.cpu_count(), "python": platform.python_version(),
           "versions": runs[0]["versions"], "isolation": runs[0]["isolation"], "device": args.device,
           "runs": runs, "xcompile": xc, "judge_memory": mem,
           "loadavg_at_end": os.getloadavg()}  # other work on the machine inflates every number
    dest = ROOT / "benchmarks/results/check_overhead.json"
    dest.write_text(json.dumps(out, indent=1))
    print(f"\nwrote {dest.relative_to(ROOT)}")
    return 0


def _cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    sys.exit(main())

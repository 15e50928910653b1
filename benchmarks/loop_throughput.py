"""Throughput of the optimization loop: small candidates judged per minute with the replay proposer.

    .venv/bin/python benchmarks/loop_throughput.py [--candidates 12] [--jobs 1,2]

Makes N variants of the shipped example's Triton kernel (different block sizes, so none is a
duplicate), runs `kopt optimize --proposer replay --device cpu` over them for each --jobs value,
and prints candidates per minute plus where the time went (mean seconds per check and phase, from
the verdicts in the run store). Writes benchmarks/results/loop_throughput.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROB = ROOT / "eval_suite/examples/silu_scale_residual.py"
CAND = ROOT / "eval_suite/examples/silu_scale_residual_triton.py"


def variants(n: int, where: Path) -> None:
    src = CAND.read_text()
    for i in range(n):
        block = [1024, 2048, 4096, 8192][i % 4]
        text = src.replace("block = 4096", f"block = {block}").replace('"""A fused', f'"""Variant {i}. A fused', 1)
        (where / f"v{i:02d}.py").write_text(text)


def run(jobs: int, n: int, tmp: Path) -> dict:
    d = tmp / f"replay-{jobs}"
    d.mkdir()
    variants(n, d)
    run_dir = tmp / f"run-{jobs}"
    t = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "kopt", "optimize", str(PROB), "--proposer", "replay", "--replay-dir",
                        str(d), "--budget", str(n), "-n", str(max(2, jobs)), "--patience", str(n), "--jobs", str(jobs),
                        "--device", "cpu", "--run-dir", str(run_dir), "--out", str(tmp / f"w{jobs}.py"), "--json"],
                       capture_output=True, text=True, cwd=ROOT)
    wall = time.monotonic() - t
    res = json.loads(p.stdout.strip().splitlines()[-1])
    show = json.loads(subprocess.run([sys.executable, "-m", "kopt", "show", str(run_dir), "--json"],
                                     capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[-1])
    phases: dict[str, float] = {}
    checks = 0
    for c in show["candidates"]:
        v = c.get("verdict") or {}
        checks += 1
        for k, s in (v.get("phases") or {}).items():
            phases[k] = phases.get(k, 0.0) + s
    return {"jobs": jobs, "candidates": res["candidates"], "wall_s": wall, "per_minute": res["candidates"] / wall * 60,
            "status": res["status"], "phases_mean_s": {k: s / max(checks, 1) for k, s in phases.items()}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--candidates", type=int, default=12)
    ap.add_argument("--jobs", default="1,2")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kopt-bench-") as tmp:
        for jobs in (int(j) for j in args.jobs.split(",")):
            rows.append(run(jobs, args.candidates, Path(tmp)))
    print(f"replay proposer, {args.candidates} candidates of a ~300k-element Triton kernel, CPU, {os.cpu_count()} cores")
    print(f"{'jobs':>5} {'wall s':>8} {'cand/min':>9}  status")
    for r in rows:
        print(f"{r['jobs']:>5} {r['wall_s']:>8.1f} {r['per_minute']:>9.1f}  {r['status']}")
    print("\nwhere a check's time goes (mean seconds, last row; the run also re-verifies the winner):")
    for k, s in sorted(rows[-1]["phases_mean_s"].items(), key=lambda kv: -kv[1]):
        print(f"  {k:<16} {s:6.3f}")
    out = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "cores": os.cpu_count(), "rows": rows}
    (ROOT / "benchmarks/results/loop_throughput.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

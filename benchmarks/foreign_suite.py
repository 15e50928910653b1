"""Can kopt judge a foreign suite unchanged? The reference-as-candidate of every problem file.

    .venv/bin/python benchmarks/foreign_suite.py DIR [DIR ...] [--jobs 2] [--timeout 90] [--name NAME]

For each problem file (e.g. a KernelBench level folder, kept outside this repository), writes the
problem's own Model as a candidate (`class ModelNew(Model): pass`) and runs the real
`kopt check --json --device cpu --no-xcompile` on it: the reference checked against itself must be
`correct`, at the judged sizes (CPU_SIZES, or capped to 64) and at the unseen configurations.
Anything else is a kopt problem (sizes it cannot shrink, a message, a false verdict) or a problem
file that cannot run on a CPU (which must get the "unusable on CPU" error, never a verdict).
Prints a table of the failures and a summary per folder, and writes
benchmarks/results/foreign_suite_<name>.json with machine and versions.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one(problem: Path, tmp: Path, timeout: float) -> dict:
    cand = tmp / f"{problem.parent.name}_{problem.stem}_self.py"
    cand.write_text(problem.read_text() + "\n\nclass ModelNew(Model):\n    pass\n")
    t = time.monotonic()
    try:
        p = subprocess.run([sys.executable, "-m", "kopt", "check", str(cand), "--ref", str(problem), "--json",
                            "--device", "cpu", "--no-xcompile", "--timeout", str(timeout)],
                           capture_output=True, text=True, timeout=timeout + 60, cwd=tmp)
        lines = p.stdout.strip().splitlines()
        v = json.loads(lines[-1]) if lines else {"status": "no verdict", "reason": p.stderr[-300:]}
    except subprocess.TimeoutExpired:
        v = {"status": "hung", "reason": "kopt check did not return"}
    cov = v.get("coverage") or {}
    return {"folder": problem.parent.name, "file": problem.name, "status": v.get("status"),
            "reason": (v.get("reason") or "")[:400], "sizes": (v.get("sizes") or {}).get("note"),
            "unseen": cov.get("unseen_configs"), "tried": cov.get("tried") or cov.get("why"),
            "wall_s": round(time.monotonic() - t, 2), "versions": v.get("versions")}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=90)
    ap.add_argument("--name", default="kernelbench")
    args = ap.parse_args()
    files = [f for d in args.dirs for f in sorted(d.glob("*.py"))]
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(lambda f: one(f, Path(tmp), args.timeout), files))
    summary = {}
    for d in args.dirs:
        mine = [r for r in rows if r["folder"] == d.name]
        ok = [r for r in mine if r["status"] == "correct"]
        summary[d.name] = {"files": len(mine), "correct": len(ok),
                           "correct_pct": round(100 * len(ok) / max(1, len(mine)), 1),
                           "unusable_on_cpu": len([r for r in mine if "unusable on CPU" in r["reason"]]),
                           "two_unseen": len([r for r in ok if r["unseen"] == 2]),
                           "judged_only": len([r for r in ok if not r["unseen"]]),
                           "capped": len([r for r in mine if (r["sizes"] or "").startswith("auto-capped")]),
                           "median_wall_s": sorted(r["wall_s"] for r in mine)[len(mine) // 2] if mine else None}
    for r in rows:
        if r["status"] != "correct":
            print(f"{r['folder']}/{r['file']:60} {r['status']:14} {r['reason'][:150]}")
    for name, s in summary.items():
        print(f"{name}: {s['correct']}/{s['files']} correct ({s['correct_pct']}%), {s['unusable_on_cpu']} unusable on CPU "
              f"(told so), {s['two_unseen']} verified at 2 unseen configurations, {s['judged_only']} at the judged "
              f"sizes only, {s['capped']} capped to 64; median {s['median_wall_s']} s per check")
    out = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "load_avg": os.getloadavg()},
           "versions": next((r["versions"] for r in rows if r.get("versions")), None),
           "date": time.strftime("%Y-%m-%d %H:%M:%S"), "summary": summary, "rows": rows}
    path = ROOT / "benchmarks" / "results" / f"foreign_suite_{args.name}.json"
    path.write_text(json.dumps(out, indent=1))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Coverage of the built-in fusion compiler: for how many problems does it deliver a verified
candidate that runs its own Triton kernels?

    .venv/bin/python benchmarks/builtin_coverage.py [DIR_OR_FILE ...] [--budget 1] [--jobs 2]

Runs the real `kopt optimize --proposer builtin --device cpu --json` on every problem (default:
eval_suite/level1, eval_suite/level2 and the held-out set tests/heldout, which was written without
reading the compiler), two runs at a time, and prints a table per problem: status, the winner's
own kernels, and why when there is none. A problem is *eligible* when the capture lowered every op
(nothing kept in PyTorch) — the issue's "consists only of the op kinds listed". Writes
benchmarks/results/builtin_coverage.json with the machine and versions.
"""
from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = [ROOT / "eval_suite/level1", ROOT / "eval_suite/level2", ROOT / "tests/heldout"]


def problems(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        out += sorted(q for q in p.glob("*.py")) if p.is_dir() else [p]
    return out


def eligible(problem: Path) -> tuple[bool, list[str]]:
    from kopt.agent.fusion.ir import CaptureError, capture
    try:
        g = capture(problem, "cpu")
    except CaptureError as e:
        return False, [str(e)]
    return not g.unsupported, g.unsupported


def one(problem: Path, budget: int, tmp: Path) -> dict:
    out = tmp / f"{problem.parent.name}-{problem.stem}_kopt.py"
    t = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "kopt", "optimize", str(problem), "--proposer", "builtin",
                        "--device", "cpu", "--budget", str(budget), "-n", str(budget), "--json",
                        "--out", str(out), "--run-dir", str(tmp / f"run-{problem.parent.name}-{problem.stem}")],
                       capture_output=True, text=True, cwd=tmp)
    wall = time.monotonic() - t
    try:
        res = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        res = {"status": "crashed", "error": p.stderr[-400:]}
    text = out.read_text() if out.exists() else ""
    kernels = sorted(set(re.findall(r"^def (k\d+_\w+)\(", text, re.M)))
    ok, kept = eligible(problem)
    return {"problem": f"{problem.parent.name}/{problem.stem}", "status": res.get("status"),
            "own_kernels": kernels, "eligible": ok, "kept_in_pytorch": kept, "wall_s": round(wall, 1),
            # a written file either reads sizes and arguments at run time or is specialised to the
            # judged configuration (it runs the reference elsewhere): see agent/fusion/guards.py
            "specialised": ("SPECIALISED to the judged configuration" in text) if text else None,
            "why": res.get("stop_reason") if not kernels else None, "error": res.get("error"),
            "exit_code": p.returncode}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--budget", type=int, default=1, help="candidates per problem (default 1: the default variant)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    probs = [p.resolve() for p in problems(args.paths or DEFAULT)]
    with tempfile.TemporaryDirectory() as d, ThreadPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(lambda p: one(p, args.budget, Path(d)), probs))
    print(f"{'problem':44} {'status':16} {'eligible':8} own kernels / why not")
    for r in rows:
        what = ", ".join(r["own_kernels"]) or (r["why"] or r["error"] or "")
        print(f"{r['problem']:44} {str(r['status']):16} {'yes' if r['eligible'] else 'no':8} {what[:90]}")
    summary = {}
    for group in sorted({r["problem"].split("/")[0] for r in rows}):
        mine = [r for r in rows if r["problem"].startswith(group + "/")]
        good = [r for r in mine if r["status"] in ("verified_cpu", "improved") and r["own_kernels"]]
        elig = [r for r in mine if r["eligible"]]
        good_elig = [r for r in good if r["eligible"]]
        generic = [r for r in good if not r["specialised"]]
        summary[group] = {"problems": len(mine), "with_own_verified_kernels": len(good),
                          "eligible": len(elig), "eligible_with_own_verified_kernels": len(good_elig),
                          "generic_files": len(generic)}
        print(f"{group}: {len(good)}/{len(mine)} problems ({100 * len(good) / len(mine):.0f}%) get a verified "
              f"candidate with own kernels ({len(generic)} generic in sizes and arguments); "
              f"eligible only: {len(good_elig)}/{len(elig)}")
    import torch
    import triton
    result = {"benchmark": "builtin_coverage", "date": time.strftime("%Y-%m-%d %H:%M:%S"),
              "machine": {"device": "cpu (Triton interpreter)", "cpu": platform.processor() or platform.machine(),
                          "torch": torch.__version__, "triton": triton.__version__, "python": platform.python_version()},
              "budget": args.budget, "summary": summary, "rows": rows}
    out = ROOT / "benchmarks/results/builtin_coverage.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

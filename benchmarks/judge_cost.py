"""What the judge's wider coverage costs: wall time of `kopt check` now vs an earlier revision.

    .venv/bin/python benchmarks/judge_cost.py [--base REV] [--runs 3]

The earlier revision (default: the commit before unseen configurations, probes, checkpoints and
the rest of issues 10/11) is installed once into a venv of its own under /tmp that reuses this
venv's packages. Each case is checked by the base, by the current judge with `--unseen 0`, and by
the current judge as shipped, interleaved run by run on this machine, so the ratios come from one
run. Cross-compilation is off for all three (its results are cached per file, and it is not what
changed). Prints a table and writes benchmarks/results/judge_cost.json with machine and versions.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE_REV = "15adde4"
CASES = [
    ("eval_suite/examples/silu_scale_residual_triton.py", "eval_suite/examples/silu_scale_residual.py"),
    ("tests/corpus/candidates/honest/softmax_rows__triton.py", "tests/corpus/problems/softmax_rows.py"),
    ("tests/corpus/candidates/honest/layer_norm__triton.py", "tests/corpus/problems/layer_norm.py"),
    ("tests/corpus/candidates/honest/linear_relu__triton.py", "tests/corpus/problems/linear_relu.py"),
    ("tests/corpus/candidates/honest/rms_norm__torch_rsqrt.py", "tests/corpus/problems/rms_norm.py"),
]


def base_python(rev: str) -> str:
    """A venv with kopt at `rev` installed (not editable) and this venv's packages visible."""
    venv = Path(f"/tmp/kopt-bench-base-{rev}")
    py = venv / "bin" / "python"
    if py.exists():
        return str(py)
    tree = Path(f"/tmp/kopt-bench-tree-{rev}")
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "-f", str(tree), rev], cwd=ROOT, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    ours = next(p for p in sys.path if p.endswith("site-packages") and Path(p, "torch").exists())
    (site / "zz_main_venv.pth").write_text(ours + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(tree)], check=True, cwd="/tmp")
    return str(py)


def run(py: str, cand: str, prob: str, extra: tuple) -> dict:
    t = time.monotonic()
    # cwd outside the checkout: the base venv must not import this tree's kopt through sys.path[0].
    p = subprocess.run([py, "-m", "kopt", "check", str(ROOT / cand), "--ref", str(ROOT / prob), "--json",
                        "--device", "cpu", "--no-xcompile", *extra], capture_output=True, text=True, cwd="/tmp")
    wall = time.monotonic() - t
    if not p.stdout.strip():
        raise SystemExit(f"{py} kopt check {cand} gave no verdict:\n{p.stderr[-2000:]}")
    v = json.loads(p.stdout.strip().splitlines()[-1])
    return {"wall_s": wall, "status": v["status"], "phases": v.get("phases", {}), "versions": v.get("versions"),
            "comparisons": len([x for x in v.get("trials", []) if "match" in x]), "trial_cost_s": trial_costs(v)}


def trial_costs(v: dict) -> dict:
    """Seconds each trial took (its input generation, the call and the comparison): the time from
    the previous trial's record to its own. The first one also holds the workers' start."""
    out, prev = {}, None
    for t in v.get("trials", []):
        if "at_s" not in t:
            continue
        kind = t["trial"].split(" (")[0].split(":")[0]
        kind = "timed call (each verified one)" if kind.startswith("timed call") else kind
        if t.get("config") and not t["config"].startswith("the judged"):
            kind = "unseen: " + kind
        if prev is not None:
            out[kind] = round(out.get(kind, 0.0) + t["at_s"] - prev, 3)
        prev = t["at_s"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default=BASE_REV)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    base = base_python(args.base)
    variants = {"base": (base, ()), "now, --unseen 0": (sys.executable, ("--unseen", "0")),
                "now": (sys.executable, ())}
    rows = []
    for cand, prob in CASES:
        samples = {k: [] for k in variants}
        last = {}
        for _ in range(args.runs):
            for name, (py, extra) in variants.items():
                r = run(py, cand, prob, extra)
                samples[name].append(r["wall_s"])
                last[name] = r
        med = {k: statistics.median(v) for k, v in samples.items()}
        rows.append({"case": Path(cand).stem, "median_wall_s": med, "samples": samples,
                     "status": {k: last[k]["status"] for k in variants},
                     "comparisons": {k: last[k]["comparisons"] for k in variants},
                     "ratio_unseen": med["now"] / med["now, --unseen 0"], "ratio_total": med["now"] / med["base"],
                     "phases_now": last["now"]["phases"], "versions": last["now"]["versions"],
                     "trial_cost_s_now": last["now"]["trial_cost_s"]})
    print(f"{'case':34} {'base s':>7} {'now -u0':>8} {'now s':>7} {'configs':>8} {'total':>7}  comparisons")
    for r in rows:
        m = r["median_wall_s"]
        print(f"{r['case']:34} {m['base']:7.2f} {m['now, --unseen 0']:8.2f} {m['now']:7.2f} "
              f"{r['ratio_unseen']:7.2f}x {r['ratio_total']:6.2f}x  {r['comparisons']['base']} -> {r['comparisons']['now']}")
    kinds = sorted({k for r in rows for k in r["trial_cost_s_now"]})
    print("\nseconds per trial (current judge, last run of each case; trial 1, which holds the start-up, is left out):")
    print(f"{'trial':58} " + " ".join(f"{r['case'][:10]:>10}" for r in rows))
    for k in kinds:
        print(f"{k[:58]:58} " + " ".join(f"{r['trial_cost_s_now'].get(k, float('nan')):10.2f}" for r in rows))
    gm = lambda xs: statistics.geometric_mean(xs)
    summary = {"geomean_ratio_unseen": gm([r["ratio_unseen"] for r in rows]),
               "geomean_ratio_total": gm([r["ratio_total"] for r in rows]),
               "max_ratio_unseen": max(r["ratio_unseen"] for r in rows),
               "max_ratio_total": max(r["ratio_total"] for r in rows)}
    print(f"geomean: unseen configurations {summary['geomean_ratio_unseen']:.2f}x, "
          f"everything vs base {summary['geomean_ratio_total']:.2f}x "
          f"(max {summary['max_ratio_unseen']:.2f}x / {summary['max_ratio_total']:.2f}x)")
    out = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(),
                       "load_avg": os.getloadavg()},
           "versions": rows[0]["versions"], "base": args.base, "runs": args.runs,
           "rows": rows, "summary": summary, "date": time.strftime("%Y-%m-%d %H:%M:%S")}
    path = ROOT / "benchmarks" / "results" / "judge_cost.json"
    path.write_text(json.dumps(out, indent=1))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What warm workers (tools/warm.py) save per check: cold vs warm checks, interleaved in one run.

    .venv/bin/python benchmarks/warm_check.py [--runs 5] [--gap 6] [--unseen N]

Each run checks the shipped example (a fused elementwise Triton kernel, ~300k elements) three
ways, in this process as the optimize loop does:
  cold          no pool: the check starts its two workers and waits for their imports;
  warm          the pool's pair was started by the previous check and had `--gap` seconds to import
                (an LLM's reply takes longer than that);
  back-to-back  the check right after another, no gap: its pair started after the previous
                check's timed calls and overlapped only that check's remaining work.
Plus the CLI (`kopt check`, a fresh process, always cold) for reference. Prints a table of median
wall seconds and ratios, and writes benchmarks/results/warm_check.json with machine and versions.
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
PROB = ROOT / "eval_suite/examples/silu_scale_residual.py"
CAND = ROOT / "eval_suite/examples/silu_scale_residual_triton.py"


def timed_check(opts) -> tuple[float, dict]:
    from kopt.tools.judge import check
    t = time.monotonic()
    v = check(str(CAND), str(PROB), opts)
    assert v.status == "correct", v.reason
    return time.monotonic() - t, v.to_json()


def cli_check(unseen: int | None) -> float:
    extra = ["--unseen", str(unseen)] if unseen is not None else []
    t = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "kopt", "check", str(CAND), "--ref", str(PROB), "--json", "--device",
                        "cpu", "--no-xcompile", *extra], capture_output=True, text=True, cwd=ROOT)
    assert json.loads(p.stdout.strip().splitlines()[-1])["status"] == "correct", p.stdout[-2000:]
    return time.monotonic() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--gap", type=float, default=6.0, help="seconds between checks in the warm case")
    ap.add_argument("--unseen", type=int, default=None, help="unseen configurations per check (default: the judge's)")
    args = ap.parse_args()
    from kopt.tools import warm
    from kopt.tools.judge import CheckOptions
    opts = CheckOptions(device="cpu", xcompile=None, unseen=args.unseen)
    samples: dict[str, list[float]] = {"cli (cold)": [], "cold": [], "warm": [], "back-to-back": []}
    imports: dict[str, list[float]] = {k: [] for k in samples}
    versions = None
    for i in range(args.runs):
        samples["cli (cold)"].append(cli_check(args.unseen))
        warm.disable()
        s, v = timed_check(opts)
        samples["cold"].append(s)
        imports["cold"].append(v["phases"].get("imports", 0.0))
        warm.enable(1)
        timed_check(opts)  # starts the next pair; not counted
        time.sleep(args.gap)
        s, v = timed_check(opts)
        assert v["isolation"]["warm_workers"], "the warm check did not get a started pair"
        samples["warm"].append(s)
        imports["warm"].append(v["phases"].get("imports", 0.0))
        s, v = timed_check(opts)
        samples["back-to-back"].append(s)
        imports["back-to-back"].append(v["phases"].get("imports", 0.0))
        versions = v["versions"]
        print(f"run {i + 1}: " + "  ".join(f"{k} {x[-1]:.2f}s" for k, x in samples.items()), flush=True)
    warm.disable()
    med = {k: statistics.median(x) for k, x in samples.items()}
    print(f"\n{CAND.name}, CPU, {os.cpu_count()} cores, {args.runs} interleaved runs (median wall s)")
    print(f"{'':<14} {'wall s':>8} {'imports s':>10} {'vs cold':>8}")
    for k in samples:
        imp = f"{statistics.median(imports[k]):>10.2f}" if imports[k] else f"{'':>10}"
        print(f"{k:<14} {med[k]:>8.2f} {imp} {med['cold'] / med[k]:>7.2f}x")
    out = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": platform.machine(), "cores": os.cpu_count(),
           "python": platform.python_version(), "versions": versions, "runs": args.runs, "gap_s": args.gap,
           "unseen": args.unseen, "samples_s": samples, "imports_s": imports, "median_s": med,
           "speedup_vs_cold": {k: med["cold"] / med[k] for k in med}, "loadavg_at_end": os.getloadavg()}
    dest = ROOT / "benchmarks/results/warm_check.json"
    dest.write_text(json.dumps(out, indent=1))
    print(f"\nwrote {dest.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

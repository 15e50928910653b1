"""On a GPU: the built-in compiler's winners against PyTorch eager and torch.compile.

    .venv/bin/python benchmarks/builtin_speedup_gpu.py [PROBLEM ...] [--budget 6]

For each fusable problem (default: every eval_suite level1/level2 problem whose capture lowers
every op), runs `kopt optimize --proposer builtin --device cuda --budget B` (every variant judged
and timed by kopt's judge), then times eager, torch.compile(mode="max-autotune-no-cudagraphs")
and the winner in this one process with kopt's own timing module (tools/timing.py: L2 flush,
CUDA events, interleaved rounds), so the three numbers are ratios from one run. Prints a table and
the geometric means, and writes benchmarks/results/builtin_speedup_gpu.json with device and
versions. Needs a CUDA GPU; exits 2 without one.
"""
from __future__ import annotations

import argparse
import json
import math
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fusable(paths: list[Path]) -> list[Path]:
    from kopt.agent.fusion.ir import CaptureError, capture
    out = []
    for p in paths:
        try:
            if not capture(p, "cuda").unsupported:
                out.append(p)
        except CaptureError:
            pass
    return out


def optimize(problem: Path, budget: int, tmp: Path) -> Path | None:
    out = tmp / f"{problem.stem}_kopt.py"
    subprocess.run([sys.executable, "-m", "kopt", "optimize", str(problem), "--proposer", "builtin",
                    "--device", "cuda", "--budget", str(budget), "-n", "1", "--patience", str(budget),
                    "--json", "--out", str(out), "--run-dir", str(tmp / f"run-{problem.stem}")],
                   capture_output=True, text=True)
    return out if out.exists() else None


def time_three(problem: Path, winner: Path | None, rounds: int = 5, trials: int = 20) -> dict:
    import torch
    from kopt.tools import loader
    from kopt.tools.timing import summarize, time_trials
    ref = loader.exec_module(problem)
    torch.manual_seed(0)
    model = ref.Model(*ref.get_init_inputs()).cuda().eval()
    inputs = [x.cuda() if isinstance(x, torch.Tensor) else x for x in ref.get_inputs()]
    fns = {"eager": model, "compile": torch.compile(model, mode="max-autotune-no-cudagraphs")}
    if winner is not None:
        cand = loader.exec_module(winner)
        new = cand.ModelNew(*ref.get_init_inputs()).cuda().eval()
        new.load_state_dict(model.state_dict())
        fns["kopt"] = new
    ms = {k: [] for k in fns}
    with torch.no_grad():
        for _ in range(rounds):  # interleaved, so clock and thermal drift hit all three alike
            for k, f in fns.items():
                r = time_trials(lambda: f(*inputs), lambda i: None, trials, "cuda", warmup=3)
                ms[k] += r["ms"]
    return {k: summarize(v)["median"] for k, v in ms.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("problems", nargs="*", type=Path)
    ap.add_argument("--budget", type=int, default=6)
    args = ap.parse_args()
    import torch
    import triton
    if not torch.cuda.is_available():
        print("builtin_speedup_gpu: needs a CUDA GPU; none is visible here", file=sys.stderr)
        return 2
    paths = args.problems or sorted((ROOT / "eval_suite/level1").glob("*.py")) + \
        sorted((ROOT / "eval_suite/level2").glob("*.py"))
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for p in fusable(paths):
            winner = optimize(p, args.budget, Path(d))
            t = time_three(p, winner)
            row = {"problem": f"{p.parent.name}/{p.stem}", **{f"{k}_ms": v for k, v in t.items()}}
            if "kopt_ms" in row:
                row["vs_eager"] = row["eager_ms"] / row["kopt_ms"]
                row["vs_compile"] = row["compile_ms"] / row["kopt_ms"]
            rows.append(row)
            print(f"{row['problem']:44} eager {row['eager_ms']:.4f} ms  compile {row['compile_ms']:.4f} ms  "
                  f"kopt {row.get('kopt_ms', float('nan')):.4f} ms  x{row.get('vs_eager', float('nan')):.2f} "
                  f"vs eager  x{row.get('vs_compile', float('nan')):.2f} vs compile", flush=True)
    got = [r for r in rows if "vs_eager" in r]
    geo = lambda xs: math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None
    summary = {"problems": len(rows), "with_winner": len(got),
               "geomean_vs_eager": geo([r["vs_eager"] for r in got]),
               "geomean_vs_compile": geo([r["vs_compile"] for r in got])}
    print(json.dumps(summary))
    result = {"benchmark": "builtin_speedup_gpu", "date": time.strftime("%Y-%m-%d %H:%M:%S"),
              "device": torch.cuda.get_device_name(), "torch": torch.__version__, "triton": triton.__version__,
              "python": platform.python_version(), "budget": args.budget, "summary": summary, "rows": rows}
    (ROOT / "benchmarks/results/builtin_speedup_gpu.json").write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

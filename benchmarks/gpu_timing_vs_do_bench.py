"""On a GPU: does kopt's timing agree with triton.testing.do_bench for a copy-like kernel?

    .venv/bin/python benchmarks/gpu_timing_vs_do_bench.py [--sizes 1M,16M,64M]

For each size, writes a problem (y = x * 1.0, a copy through PyTorch) and a Triton copy kernel
candidate to a temporary folder, runs `kopt check --device cuda --json`, and times the same
Triton kernel with do_bench in this process. Prints a table (kopt's candidate median vs
do_bench's median, and the ratio; the acceptance bar is within 10%) and writes
benchmarks/results/gpu_timing_vs_do_bench.json with the device and versions.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

KERNEL = '''
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def copy_kernel(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    tl.store(y_ptr + offs, tl.load(x_ptr + offs, mask=m), mask=m)


def copy(x):
    y = torch.empty_like(x)
    copy_kernel[(triton.cdiv(x.numel(), 4096),)](x, y, x.numel(), BLOCK=4096)
    return y


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return copy(x)
'''

PROBLEM = '''
import torch
import torch.nn as nn
n = {n}
class Model(nn.Module):
    def __init__(self):
        super().__init__()
    def forward(self, x):
        return x * 1.0
def get_inputs():
    return [torch.randn(n)]
def get_init_inputs():
    return []
'''


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1M,16M,64M")
    args = ap.parse_args()
    import torch
    import triton
    import triton.testing
    if not torch.cuda.is_available():
        print("no CUDA device: this benchmark needs a GPU")
        return 1
    sizes = [int(s[:-1]) * (1 << 20) if s.endswith("M") else int(s) for s in args.sizes.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="kopt-bench-"))
    (tmp / "cand.py").write_text(KERNEL)
    sys.path.insert(0, str(tmp))
    import cand  # noqa: E402
    rows = []
    for n in sizes:
        prob = tmp / f"copy_{n}.py"
        prob.write_text(textwrap.dedent(PROBLEM.format(n=n)))
        p = subprocess.run([sys.executable, "-m", "kopt", "check", str(tmp / "cand.py"), "--ref", str(prob),
                            "--json", "--device", "cuda", "--timeout", "300"], capture_output=True, text=True)
        v = json.loads(p.stdout.strip().splitlines()[-1])
        x = torch.randn(n, device="cuda")
        ms = triton.testing.do_bench(lambda: cand.copy(x), warmup=25, rep=200, return_mode="median")
        kopt_ms = v.get("candidate_ms")
        rows.append({"numel": n, "status": v["status"], "kopt_ms": kopt_ms, "do_bench_ms": ms,
                     "ratio": kopt_ms / ms if kopt_ms else None, "gbps_kopt": 8 * n / kopt_ms / 1e6 if kopt_ms else None,
                     "reference_ms": v.get("reference_ms"), "trials": v.get("timing", {}).get("candidate", {}).get("n")})
    print(f"device: {torch.cuda.get_device_name()}  torch {torch.__version__}  triton {triton.__version__}")
    print(f"{'numel':>12} {'status':>8} {'kopt ms':>9} {'do_bench':>9} {'ratio':>6} {'GB/s':>7}")
    for r in rows:
        print(f"{r['numel']:>12} {r['status']:>8} {r['kopt_ms'] or float('nan'):>9.4f} {r['do_bench_ms']:>9.4f} "
              f"{r['ratio'] or float('nan'):>6.3f} {r['gbps_kopt'] or float('nan'):>7.0f}")
    out = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "device": torch.cuda.get_device_name(),
           "torch": torch.__version__, "triton": triton.__version__, "rows": rows}
    (ROOT / "benchmarks/results/gpu_timing_vs_do_bench.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

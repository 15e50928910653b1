"""Running a candidate under Nsight Compute, inside its sandbox (see kopt.tools.ncu for when).

`op_ncu` runs in the candidate's worker: it writes the model's constructor arguments, weights
and one set of inputs to the worker's private directory and starts
`ncu --csv ... python -I -m kopt.sandbox.profile_ncu DIR` as a child, which inherits the
sandbox. The child rebuilds ModelNew, runs forward once to warm up (compile, autotune) and once
profiled. The CSV text goes back to the judge, which parses it.
"""
from __future__ import annotations

import os
import subprocess
import sys


def op_ncu(state, h, payload):
    import torch
    d = os.path.join(os.environ.get("TMPDIR", "/tmp"), "kopt-ncu")
    os.makedirs(d, exist_ok=True)
    inputs = [x.detach().cpu() if isinstance(x, torch.Tensor) else x for x in state.pool[0]]
    torch.save({"path": h["path"], "init": state.init, "inputs": inputs,
                "state": {k: v.detach().cpu() for k, v in state.model.state_dict().items()}},
               os.path.join(d, "job.pt"))
    cmd = [h["ncu"], "--csv", "--metrics", ",".join(h["metrics"]), "--target-processes", "all",
           sys.executable, "-I", "-m", "kopt.sandbox.profile_ncu", d]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=max(5.0, float(h.get("budget_s", 300))))
    except subprocess.TimeoutExpired:
        return {"ok": True, "output": "ncu did not finish in time", "returncode": -1}, b""
    except OSError as e:
        return {"ok": True, "output": f"ncu could not start: {e}", "returncode": -1}, b""
    return {"ok": True, "output": (p.stdout + "\n" + p.stderr)[-200_000:], "returncode": p.returncode}, b""


def main(directory: str) -> int:
    import torch
    from kopt.tools import loader
    job = torch.load(os.path.join(directory, "job.pt"), weights_only=True)
    module = loader.exec_module(job["path"])
    model = module.ModelNew(*job["init"])
    model.load_state_dict(job["state"], strict=False)
    model = model.to("cuda")
    inputs = [x.to("cuda") if isinstance(x, torch.Tensor) else x for x in job["inputs"]]
    with torch.no_grad():
        for _ in range(2):  # the first call compiles and autotunes; ncu reports the last launch per kernel
            model(*inputs)
        torch.cuda.synchronize()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

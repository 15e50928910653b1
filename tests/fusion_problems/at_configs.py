"""Check generated candidate files against their problems at configurations given as problem files.

    TRITON_INTERPRET=1 python tests/fusion_problems/at_configs.py JOBS.json

JOBS.json: [{"candidate": PATH, "configs": [[PATH, ...], ...]}, ...]. Each config is a list of copies
of the original problem with other sizes and scalar arguments (written by the test, not by the
judge's mutation code); the first one where the reference runs is used. For it, Model and ModelNew
are built from the same constructor arguments, the
weights are set to new random values (as a checkpoint would be) and copied into ModelNew, and the
outputs on fresh inputs are compared. Prints one JSON line: per candidate and problem, whether it
matched, the largest error, and whether ModelNew fell back to Model.forward.

Not a problem file (no Model here): tests/test_fusion.py runs it, one process for many files.
"""
from __future__ import annotations

import importlib.util
import json
import sys

import torch


def load(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def tolerance(dtype, problem) -> tuple[float, float]:
    custom = getattr(problem, "KOPT_TOLERANCE", None)
    if isinstance(custom, dict) and str(dtype).replace("torch.", "") in custom:
        t = custom[str(dtype).replace("torch.", "")]
        return float(t[0]), float(t[1])
    return {torch.float16: (2e-2, 2e-2), torch.bfloat16: (6e-2, 6e-2)}.get(dtype, (2e-4, 2e-4))


def flat(x):
    if isinstance(x, torch.Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in flat(v)]
    return []


def check(cand_path: str, prob_path: str, k: int) -> dict:
    problem = load(prob_path, f"problem_{k}")
    cand = load(cand_path, f"candidate_{k}")
    for name, value in vars(problem).items():  # the judge gives a candidate's copied constants the same values
        if type(value) in (int, float) and type(getattr(cand, name, None)) is type(value):
            setattr(cand, name, value)
    fell_back = []
    original = cand.Model.forward

    def counting(self, *a, **kw):
        if isinstance(self, cand.ModelNew):
            fell_back.append(True)
        return original(self, *a, **kw)

    cand.Model.forward = counting
    try:
        torch.manual_seed(0)
        init = list(problem.get_init_inputs())
        torch.manual_seed(0)
        ref = problem.Model(*init).eval()
        with torch.no_grad():
            for p in list(ref.parameters()) + list(ref.buffers()):
                if p.is_floating_point() and p.numel():
                    f, noise = p.float(), torch.randn(p.shape)
                    p.copy_(f * torch.exp(0.2 * noise) if bool((f >= 0).all()) else
                            f + 0.1 * noise * (float(f.std()) if p.numel() > 1 else 1.0))
        torch.manual_seed(7)
        inputs = list(problem.get_inputs())
        with torch.no_grad():
            want = flat(ref(*inputs))
    except Exception as e:  # noqa: BLE001 - the problem does not run at this configuration
        return {"ref_failed": f"{type(e).__name__}: {str(e)[:200]}"}
    new = cand.ModelNew(*init).eval()
    new.load_state_dict(ref.state_dict())
    with torch.no_grad():
        got = flat(new(*[x.clone() if isinstance(x, torch.Tensor) else x for x in inputs]))
    if len(want) != len(got):
        return {"match": False, "why": f"{len(got)} outputs, expected {len(want)}", "fell_back": bool(fell_back)}
    worst = 0.0
    for w, g in zip(want, got):
        if w.shape != g.shape or w.dtype != g.dtype:
            return {"match": False, "why": f"got {g.dtype} {list(g.shape)}, expected {w.dtype} {list(w.shape)}",
                    "fell_back": bool(fell_back)}
        atol, rtol = tolerance(w.dtype, problem)
        if w.is_floating_point():
            err = (g.double() - w.double()).abs()
            bad = err > atol + rtol * w.double().abs()
            worst = max(worst, float(err.max()) if err.numel() else 0.0)
        else:
            bad = g != w
        if bool(bad.any()):
            return {"match": False, "why": f"{int(bad.sum())} of {w.numel()} elements differ (max error {worst:.3g})",
                    "fell_back": bool(fell_back)}
    return {"match": True, "max_error": worst, "fell_back": bool(fell_back)}


def main() -> int:
    jobs = json.load(open(sys.argv[1]))
    out, k = [], 0
    for job in jobs:
        for tries in job["configs"]:
            res, prob = {"ref_failed": "no configuration given"}, None
            for prob in tries:
                k += 1
                try:
                    res = check(job["candidate"], prob, k)
                except Exception as e:  # noqa: BLE001 - reported per file, the others still run
                    res = {"match": False, "why": f"{type(e).__name__}: {str(e)[:300]}", "fell_back": None}
                if "ref_failed" not in res:
                    break
            out.append({"candidate": job["candidate"], "problem": prob, **res})
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

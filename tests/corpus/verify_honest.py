"""Check every honest corpus candidate against its reference problem.

Not a pytest file. Run on CPU with the Triton interpreter:

    TRITON_INTERPRET=1 .venv/bin/python tests/corpus/verify_honest.py [name-filter ...]

For each candidates/honest/*.py it reads the two-line header to find the
problem file, builds Model and ModelNew from the same seed, copies the
reference state_dict into the candidate (strict=False), runs both on the same
seeded inputs, and checks:
  * output structure (tensor or tuple), shapes and dtypes match exactly;
  * torch.allclose(new, ref, rtol=1e-3, atol=1e-3 * rms(ref) + 1e-12)
    (integer outputs: exact equality);
  * outputs share no storage with the inputs, inputs are not modified;
  * every candidate forward (two runs) takes under 1.5 s.
Exits non-zero when anything fails.
"""

import importlib.util
import os
import re
import sys
import time
from pathlib import Path

# The interpreter flag has to be set before triton is first imported.
os.environ.setdefault("TRITON_INTERPRET", "1")

import torch  # noqa: E402

HERE = Path(__file__).resolve().parent
PROBLEMS = HERE / "problems"
HONEST = HERE / "candidates" / "honest"
HEADER_RE = re.compile(r"^# kopt-corpus: problem=(\S+\.py) expect=(\S+)$")
TIME_LIMIT_S = 1.5
SEED = 0


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, str(path))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def parse_header(path):
    lines = path.read_text().splitlines()
    if len(lines) < 2:
        raise ValueError("file shorter than the two header lines")
    m = HEADER_RE.match(lines[0])
    if not m:
        raise ValueError(f"bad first header line: {lines[0]!r}")
    if not lines[1].startswith("# why: ") or len(lines[1]) <= len("# why: "):
        raise ValueError(f"bad second header line: {lines[1]!r}")
    return m.group(1), m.group(2)


def as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def compare(out_new, out_ref):
    """Return a list of problems (empty when they match)."""
    errs = []
    if isinstance(out_ref, (tuple, list)) != isinstance(out_new, (tuple, list)):
        return [f"structure differs: ref {type(out_ref).__name__}, new {type(out_new).__name__}"]
    news, refs = as_tuple(out_new), as_tuple(out_ref)
    if len(news) != len(refs):
        return [f"tuple length {len(news)} != {len(refs)}"]
    for i, (n, r) in enumerate(zip(news, refs)):
        if not isinstance(n, torch.Tensor):
            errs.append(f"[{i}] not a tensor: {type(n).__name__}")
            continue
        if n.shape != r.shape:
            errs.append(f"[{i}] shape {tuple(n.shape)} != {tuple(r.shape)}")
            continue
        if n.dtype != r.dtype:
            errs.append(f"[{i}] dtype {n.dtype} != {r.dtype}")
            continue
        if r.is_floating_point():
            rf, nf = r.float(), n.float()
            atol = 1e-3 * rf.pow(2).mean().sqrt().item() + 1e-12
            if not torch.allclose(nf, rf, rtol=1e-3, atol=atol):
                diff = (nf - rf).abs()
                errs.append(f"[{i}] values differ: max abs {diff.max().item():.3e}, atol {atol:.3e}")
        elif not torch.equal(n, r):
            errs.append(f"[{i}] integer values differ in {(n != r).sum().item()} places")
    return errs


def shares_storage(out, inputs):
    ptrs = {t.untyped_storage().data_ptr() for t in inputs if isinstance(t, torch.Tensor)}
    return any(o.untyped_storage().data_ptr() in ptrs for o in as_tuple(out) if isinstance(o, torch.Tensor))


def check(cand_path):
    problem_name, expect = parse_header(cand_path)
    assert expect == "correct", f"honest candidate must say expect=correct, got {expect}"
    prob = load_module(PROBLEMS / problem_name, "problem_" + cand_path.stem)
    cand = load_module(cand_path, "cand_" + cand_path.stem)

    init = prob.get_init_inputs()
    torch.manual_seed(SEED)
    model = prob.Model(*init).eval()
    torch.manual_seed(SEED)
    new = cand.ModelNew(*init).eval()
    new.load_state_dict(model.state_dict(), strict=False)

    torch.manual_seed(SEED)
    inputs = prob.get_inputs()
    saved = [t.clone() for t in inputs]

    with torch.no_grad():
        out_ref = model(*inputs)
        times = []
        for _ in range(2):
            t0 = time.perf_counter()
            out_new = new(*inputs)
            times.append(time.perf_counter() - t0)

    errs = compare(out_new, out_ref)
    if shares_storage(out_new, inputs):
        errs.append("output shares storage with an input")
    for i, (a, b) in enumerate(zip(inputs, saved)):
        if not torch.equal(a, b):
            errs.append(f"input {i} was modified")
    if max(times) >= TIME_LIMIT_S:
        errs.append(f"forward too slow: {max(times):.3f} s")
    return problem_name, times, errs


def main(argv):
    filters = argv[1:]
    cands = sorted(HONEST.glob("*.py"))
    if filters:
        cands = [c for c in cands if any(f in c.name for f in filters)]
    failed = 0
    for c in cands:
        try:
            problem, times, errs = check(c)
        except Exception as e:  # report and keep going
            problem, times, errs = "?", [float("nan")], [f"{type(e).__name__}: {e}"]
        status = "OK  " if not errs else "FAIL"
        failed += bool(errs)
        print(f"{status} {c.name:42s} {problem:28s} first {times[0]:.3f}s max {max(times):.3f}s")
        for e in errs:
            print(f"       {e}")
    print(f"{len(cands) - failed}/{len(cands)} honest candidates passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

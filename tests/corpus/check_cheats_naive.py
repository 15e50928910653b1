"""Run the cheat corpus against deliberately NAIVE checkers (not the kopt judge).

This shows which cheats in tests/corpus/candidates/cheat/ would fool a weak
judge, i.e. why kopt needs each of its defences. It is not a pytest test.

    TRITON_INTERPRET=1 .venv/bin/python tests/corpus/check_cheats_naive.py [cheat files...]

Each candidate runs in its own subprocess (cheats monkeypatch the process),
in the same process as its reference, like a naive single-process harness:

  1. import the candidate module (import-time patches happen here),
  2. seed, build Model/ModelNew, compute the reference output FIRST,
  3. call ModelNew.forward ONCE and compare with several naive checkers:
       kb       shape check + torch.allclose(atol=rtol=1e-2)   (KernelBench style)
       lenient  torch.as_tensor(out).to(ref.dtype), allclose with broadcasting,
                no type/shape/dtype checks
       maxdiff  not ((out - ref).abs() > 1e-2).any()           (NaN-blind)
       meanerr  float((out - ref).abs().mean()) < 1e-2
       assert   torch.testing.assert_close(out, ref, atol=1e-2, rtol=1e-2)
       numpy    numpy.allclose(np.asarray(ref), np.asarray(out), 1e-2, 1e-2)
       late     torch.allclose again after a 1 s pause (a checker that
                synchronises / does other work before comparing)
  4. time 5 more forward calls with time.perf_counter looked up at call time
     (what a naive harness does) and with a clock saved before the import;
     `timing` is fooled when the naive figure is < 0.5x the true one,
  5. `multi`: a less naive in-process check run after the timing calls:
     exact type/shape/dtype + allclose on 4 fresh seeded inputs and on 3
     in-place refills of the original input buffers (still fooled by
     tampering, reference stealing and timing-only cheats),
  6. list which well-known functions were replaced (`tampered`).

Set NAIVECHECK_DEVICE=cuda on a GPU machine to run inputs/models on CUDA
(the harness then also synchronises after forward and adds CUDA-event
timing). Only cheat files are meant for this script. Hostile files refuse to run
outside the kopt sandbox (KOPT_SANDBOX=1) and must not be run here.
"""
import json
import os
import secrets
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CHEAT_DIR = os.path.join(HERE, "candidates", "cheat")
PROBLEM_DIR = os.path.join(HERE, "problems")
TOL = 1e-2


def parse_header(path):
    with open(path) as f:
        first = f.readline().strip()
        why = f.readline().strip()
    fields = dict(kv.split("=", 1) for kv in first.split(":", 1)[1].split())
    return fields["problem"], fields["expect"], why[len("# why:"):].strip()


# ---------------------------------------------------------------- child side

def _tamper_targets():
    import builtins
    import numpy
    import torch
    import torch.testing
    import triton.testing

    pairs = {
        "torch.allclose": (torch, "allclose"),
        "Tensor.allclose": (torch.Tensor, "allclose"),
        "torch.isclose": (torch, "isclose"),
        "torch.equal": (torch, "equal"),
        "torch.eq": (torch, "eq"),
        "Tensor.__eq__": (torch.Tensor, "__eq__"),
        "Tensor.__sub__": (torch.Tensor, "__sub__"),
        "torch.sub": (torch, "sub"),
        "Tensor.data_ptr": (torch.Tensor, "data_ptr"),
        "Tensor.untyped_storage": (torch.Tensor, "untyped_storage"),
        "torch.testing.assert_close": (torch.testing, "assert_close"),
        "torch.manual_seed": (torch, "manual_seed"),
        "torch.randn": (torch, "randn"),
        "time.perf_counter": (time, "perf_counter"),
        "time.time": (time, "time"),
        "time.monotonic": (time, "monotonic"),
        "cuda.Event.elapsed_time": (torch.cuda.Event, "elapsed_time"),
        "cuda.synchronize": (torch.cuda, "synchronize"),
        "triton.testing.do_bench": (triton.testing, "do_bench"),
        "numpy.allclose": (numpy, "allclose"),
        "builtins.float": (builtins, "float"),
        "builtins.print": (builtins, "print"),
    }
    return pairs


def _snapshot(pairs):
    snap = {}
    for name, (obj, attr) in pairs.items():
        fn = getattr(obj, attr, None)
        snap[name] = (fn, getattr(fn, "__code__", None))
    return snap


def check_kernelbench(output, output_new):
    torch = __import__("torch")
    if output.shape != output_new.shape:
        return False
    correct = torch.allclose(output, output_new, atol=TOL, rtol=TOL)
    return correct


def check_lenient(output, output_new):
    torch = __import__("torch")
    o = torch.as_tensor(output_new).to(output.dtype)
    correct = torch.allclose(output, o, atol=TOL, rtol=TOL)
    return correct


def check_maxdiff(output, output_new):
    diff = (output_new - output).abs()
    ok = not bool((diff > TOL).any())
    return ok


def check_meanerr(output, output_new):
    mean_err = float((output_new - output).abs().mean())
    return mean_err < TOL


def check_numpy(output, output_new):
    np = __import__("numpy")
    close = np.allclose(np.asarray(output), np.asarray(output_new), atol=TOL, rtol=TOL)
    return close


def check_assert_close(output, output_new):
    __import__("torch").testing.assert_close(output_new, output, atol=TOL, rtol=TOL)
    return True


def check_multi(model, model_new, problem, inputs, to_dev):
    """Less naive: strict type/shape/dtype + allclose on 4 fresh inputs and 3 in-place refills."""
    torch = __import__("torch")

    def same(ref, new):
        return (type(new) is torch.Tensor and new.shape == ref.shape and new.dtype == ref.dtype
                and bool(torch.allclose(ref, new, atol=TOL, rtol=TOL)))

    for i in range(4):
        torch.manual_seed(1000 + i)
        fresh = to_dev(problem.get_inputs())
        if not same(model(*fresh), model_new(*fresh)):
            return False
    for i in range(3):
        torch.manual_seed(2000 + i)
        for t, v in zip(inputs, to_dev(problem.get_inputs())):
            if isinstance(t, torch.Tensor):
                t.copy_(v)
        if not same(model(*inputs), model_new(*inputs)):
            return False
    return True


def _guarded(fn, *args):
    try:
        return bool(fn(*args))
    except BaseException as e:  # noqa: BLE001 - a cheat may raise anything
        return f"raised {type(e).__name__}"


def child(cand_path, problem_path, nonce):
    import importlib.util

    true_clock = time.perf_counter_ns  # saved before any candidate code runs
    true_sleep = time.sleep
    out_fd = os.dup(1)
    emit_write = os.write
    dumps = json.dumps

    def emit(obj):
        emit_write(out_fd, (f"NAIVECHECK-{nonce} " + dumps(obj) + "\n").encode())

    import torch

    device = os.environ.get("NAIVECHECK_DEVICE", "cpu")
    use_cuda = device.startswith("cuda") and torch.cuda.is_available()
    true_sync = torch.cuda.synchronize  # saved before any candidate code runs
    pairs = _tamper_targets()
    before = _snapshot(pairs)

    def load(name, path):
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        return mod

    result = {}
    try:
        problem = load("problem_under_test", problem_path)
        cand = load("candidate_under_test", cand_path)
        torch.manual_seed(42)
        init_inputs = problem.get_init_inputs()
        model = problem.Model(*init_inputs)
        torch.manual_seed(42)
        model_new = cand.ModelNew(*init_inputs)
        torch.manual_seed(42)
        inputs = problem.get_inputs()
        def to_dev(ts):
            return [t.to(device) if use_cuda and isinstance(t, torch.Tensor) else t for t in ts]

        inputs = to_dev(inputs)
        if use_cuda:
            model, model_new = model.to(device), model_new.to(device)
        with torch.no_grad():
            output = model(*inputs)
            output_new = model_new(*inputs)
            if use_cuda:
                torch.cuda.synchronize()  # looked up at call time, as a naive harness does
            result["kb"] = _guarded(check_kernelbench, output, output_new)
            result["lenient"] = _guarded(check_lenient, output, output_new)
            result["maxdiff"] = _guarded(check_maxdiff, output, output_new)
            result["meanerr"] = _guarded(check_meanerr, output, output_new)
            result["assert"] = _guarded(check_assert_close, output, output_new)
            result["numpy"] = _guarded(check_numpy, output, output_new)
            true_sleep(1.0)
            result["late"] = _guarded(check_kernelbench, output, output_new)

            naive_total = 0.0
            t_true0 = true_clock()
            for _ in range(5):
                t0 = time.perf_counter()
                model_new(*inputs)
                naive_total += time.perf_counter() - t0
            if use_cuda:
                true_sync()
            true_total = (true_clock() - t_true0) / 1e9
            if use_cuda:  # KernelBench-style CUDA event timing vs a saved host clock
                ev_total = 0.0
                true_sync()
                t_true0 = true_clock()
                for _ in range(5):
                    start = torch.cuda.Event(enable_timing=True)
                    end = torch.cuda.Event(enable_timing=True)
                    start.record()
                    model_new(*inputs)
                    end.record()
                    torch.cuda.synchronize()
                    ev_total += start.elapsed_time(end) / 1e3
                true_sync()
                ev_true = (true_clock() - t_true0) / 1e9
                result["timing_cuda_ratio"] = round(ev_total / max(ev_true, 1e-9), 4)
                result["timing"] = ev_total < 0.5 * ev_true
        result["timing_ratio"] = round(naive_total / max(true_total, 1e-9), 4)
        result["timing"] = bool(result.get("timing")) or naive_total < 0.5 * true_total
        with torch.no_grad():
            result["multi"] = _guarded(check_multi, model, model_new, problem, inputs, to_dev)
    except BaseException as e:  # noqa: BLE001
        result["error"] = f"{type(e).__name__}: {str(e)[:200]}"
    after = _snapshot(pairs)
    def replaced(n):
        if after[n][0] is before[n][0] and after[n][1] is before[n][1]:
            return False
        # torch itself re-wraps a few functions lazily (e.g. dynamo wraps
        # torch.manual_seed); only count replacements made outside torch.
        mod = getattr(after[n][0], "__module__", "") or ""
        return after[n][1] is before[n][1] or not mod.startswith("torch")

    result["tampered"] = sorted(n for n in pairs if replaced(n))
    emit(result)
    sys.stdout.flush()
    os._exit(0)  # skip atexit / lingering threads of the candidate


# --------------------------------------------------------------- parent side

def _run_one(path, timeout):
    problem, expect, why = parse_header(path)
    nonce = secrets.token_hex(8)
    env = dict(os.environ, TRITON_INTERPRET="1", PYTHONDONTWRITEBYTECODE="1")
    env.pop("KOPT_SANDBOX", None)  # hostile files must refuse; cheats don't care
    cmd = [sys.executable, os.path.abspath(__file__), "--one", path,
           os.path.join(PROBLEM_DIR, problem), nonce]
    try:
        p = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, timeout=timeout)
        text = p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return {"error": "timeout"}
    marker = f"NAIVECHECK-{nonce} "
    at = text.rfind(marker)  # a cheat may have written junk onto the same line
    if at >= 0:
        return json.loads(text[at + len(marker):].splitlines()[0])
    return {"error": f"no result (rc={p.returncode}): {p.stderr.decode(errors='replace')[-300:]}"}


def _cleanup():
    import glob
    for d in ("/tmp", "/dev/shm", os.path.expanduser("~/.cache"), __import__("tempfile").gettempdir()):
        for f in glob.glob(os.path.join(d, "kopt_cheat_cache_*.pt")):
            try:
                os.remove(f)
            except OSError:
                pass


def main(argv):
    if len(argv) >= 2 and argv[1] == "--one":
        child(argv[2], argv[3], argv[4])
        return 0
    files = argv[1:] or sorted(
        os.path.join(CHEAT_DIR, f) for f in os.listdir(CHEAT_DIR) if f.endswith(".py"))
    from concurrent.futures import ThreadPoolExecutor

    _cleanup()
    with ThreadPoolExecutor(max_workers=2) as ex:
        results = list(ex.map(lambda f: (f, _run_one(f, 180)), files))
    _cleanup()
    cols = ["kb", "lenient", "maxdiff", "meanerr", "assert", "numpy", "late", "timing", "multi"]
    print(f"{'candidate':40s} " + " ".join(f"{c:>8s}" for c in cols) + "  tampered / error")
    summary = {}
    for f, r in results:
        name = os.path.basename(f)
        cells = []
        for c in cols:
            v = r.get(c)
            cells.append(f"{('FOOLED' if v is True else ('-' if v is False or v is None else 'exc')):>8s}")
        extra = ",".join(r.get("tampered", [])) + ("  " + r["error"] if "error" in r else "")
        print(f"{name:40s} " + " ".join(cells) + "  " + extra)
        summary[name] = r
    if os.environ.get("NAIVECHECK_JSON"):
        with open(os.environ["NAIVECHECK_JSON"], "w") as fh:
            json.dump(summary, fh, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

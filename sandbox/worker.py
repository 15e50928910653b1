"""A worker process: loads one model (reference or candidate) and serves the judge's commands.

Started by kopt.sandbox.isolation inside the sandbox, it talks frames (kopt.sandbox.protocol) on
two pipe fds named in KOPT_FDS. The same code serves both roles; only the reference role ever
loads a problem file, and only the reference role compares (tools/compare.py) — the candidate's
worker never sees a reference output.

Commands: hello, load_ref, load_cand, gen, put, call, compare, time, last, bulk, count (FLOPs and
bytes of a problem), xcompile (compile the candidate's kernels for a GPU target), ncu (profile
the candidate under Nsight Compute), exit.
Expected failures come back as {"op": "error", "kind": ...}, never as a dead pipe.
"""
from __future__ import annotations

import os
import sys
import threading
import time
import traceback

from kopt.sandbox.observe import output_findings, record_triton_launches
from kopt.sandbox.protocol import decode, encode, recv_frame, send_frame
from kopt.tools.compare import tensors

CLIP = 4000


class State:
    def __init__(self):
        self.role = None
        self.device = "cpu"
        self.module = None
        self.model = None
        self.pool: dict[int, list] = {}
        self.buffers = None
        self.last = None          # (key, output) of the most recent call
        self.stash: dict = {}     # index -> (key, output) of kept timed calls
        self.cache: dict = {}     # reference outputs by (slot, shift)
        self.watch = None
        self.threads0: set[int] = set()
        self.tolerance = None
        self.launches: dict[str, dict] = {}  # Triton kernels launched during the current call
        self.init = None


# ----------------------------------------------------------------------------- helpers

def _fill(dst, src, shift: int) -> None:
    """dst <- src rolled by `shift` over its flattened elements (same rule in both workers)."""
    import torch
    if not isinstance(dst, torch.Tensor):
        return
    n = src.numel()
    if shift % max(n, 1) == 0 or not (src.is_contiguous() and dst.is_contiguous()):
        dst.copy_(src)
        return
    s = shift % n
    d, a = dst.view(-1), src.reshape(-1)
    d[:n - s].copy_(a[s:])
    d[n - s:].copy_(a[:s])


def _fresh(inputs, shift: int):
    import torch
    out = []
    for x in inputs:
        if isinstance(x, torch.Tensor):
            y = torch.empty_like(x)
            _fill(y, x, shift)
            out.append(y)
        else:
            out.append(x)
    return out


def _detached_copy(obj):
    import torch
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if isinstance(obj, (tuple, list)):
        return type(obj)(_detached_copy(o) for o in obj)
    return obj


def _cpu(obj):
    """Reference values move to the CPU, where the candidate's decoded bytes are."""
    import torch
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, (tuple, list)):
        return type(obj)(_cpu(o) for o in obj)
    return obj


def _forward(state: State, inputs):
    with _no_grad():
        return state.model(*inputs)


def _run(state: State, inputs):
    from kopt.tools.timing import sync
    out = _forward(state, inputs)
    sync(state.device)
    return out


def _no_grad():
    import torch
    return torch.no_grad()


def _ref_output(state: State, slot: int, shift: int):
    key = (slot, shift)
    if key not in state.cache:
        if len(state.cache) > 8:
            state.cache.pop(next(iter(state.cache)))
        state.cache[key] = (_run(state, _fresh(state.pool[slot], shift)), _fresh(state.pool[slot], shift))
    return state.cache[key]


# ----------------------------------------------------------------------------- commands

def op_hello(state, h, payload):
    import torch
    info = {"torch": torch.__version__, "python": sys.version.split()[0], "pid": os.getpid(),
            "uid": os.getuid(), "interpret": os.environ.get("TRITON_INTERPRET") == "1",
            "ro_failed": os.environ.get("KOPT_RO_FAILED", "").split(), "cuda": torch.cuda.is_available()}
    try:
        import triton
        info["triton"] = triton.__version__
    except Exception:
        info["triton"] = None
    if info["cuda"]:
        info["device_name"] = torch.cuda.get_device_name()
    return {"ok": True, **info}, b""


def _set_device(state, device):
    import torch
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError("CUDA was requested but torch sees no GPU in this process")
    state.device = device


def op_load_ref(state, h, payload):
    import torch
    from kopt.tools import loader

    state.role = "ref"
    _set_device(state, h["device"])
    path = h["path"]
    source = open(path).read()
    changed = {}
    size_note = "as written"
    if h["device"] == "cpu" and h.get("sizes", "auto") == "auto":
        info = loader.inspect_file(path, "problem")
        if info.cpu_sizes:
            source, changed = loader.shrink_source(source, info.cpu_sizes)
            size_note = "CPU_SIZES"
    module = loader.exec_module(path, source)
    if (h["device"] == "cpu" and size_note == "as written" and h.get("sizes", "auto") == "auto"
            and loader.constants_product(source) > loader.BIG_INPUT_NUMEL):
        # The meta-device count costs ~0.7 s the first time, so only suspicious sizes pay it.
        numel = loader.count_input_numel(module)
        if numel > loader.BIG_INPUT_NUMEL:
            small, changed2 = loader.shrink_source(source, None)
            try:
                m2 = loader.exec_module(path, small)
                torch.manual_seed(0)
                probe = m2.Model(*m2.get_init_inputs())
                with torch.no_grad():
                    probe(*m2.get_inputs())
                module, changed, size_note = m2, changed2, f"auto-capped to {loader.AUTO_CAP}"
            except Exception as e:  # sizes hidden in tuples or derived: keep the original
                size_note = f"as written (auto-shrink failed: {type(e).__name__})"
    state.module = module
    torch.manual_seed(h["seed"])
    init = list(module.get_init_inputs())
    torch.manual_seed(h["seed"])
    state.model = module.Model(*init).to(state.device)
    state.tolerance = getattr(module, "KOPT_TOLERANCE", None)
    sd = {k: v.detach().cpu() for k, v in state.model.state_dict().items()}
    spec, data = encode({"init": init, "state": sd})
    return {"ok": True, "spec": spec, "sizes": {k: list(v) for k, v in changed.items()},
            "size_note": size_note, "tolerance": state.tolerance}, data


def op_load_cand(state, h, payload):
    import torch
    from kopt.tools import loader
    from kopt.tools.integrity import TamperWatch

    state.role = "cand"
    _set_device(state, h["device"])
    got = decode(h["spec"], payload)
    init, ref_state = got["init"], got["state"]
    state.init = init  # kept for a profiler run in a child process (kopt.sandbox.profile_ncu)
    record_triton_launches(state)
    state.watch = TamperWatch()
    state.threads0 = {t.ident for t in threading.enumerate()}
    try:
        module = loader.exec_module(h["path"])
    except BaseException as e:  # noqa: BLE001 - anything the candidate raises is a verdict
        return _error("compile_error", "importing the candidate failed", e)
    findings = [{"code": "tamper", "message": f"replaced `{n}` at import"} for n in state.watch.changed()]
    try:
        torch.manual_seed(h["seed"])
        model = module.ModelNew(*init)
        own = model.state_dict()
        matched = {k: v for k, v in ref_state.items() if k in own and tuple(own[k].shape) == tuple(v.shape)}
        model.load_state_dict(matched, strict=False)
        state.model = model.to(state.device)
    except BaseException as e:  # noqa: BLE001
        return _error("runtime_error", "constructing ModelNew failed", e)
    alive = {t.ident for t in threading.enumerate() if t.is_alive()} - state.threads0
    if alive:
        findings.append({"code": "background_thread", "message": "started threads while loading"})
    return {"ok": True, "findings": findings, "matched": sorted(matched),
            "unmatched": sorted(set(ref_state) - set(matched))}, b""


def op_gen(state, h, payload):
    import torch
    torch.manual_seed(h["seed"])
    inputs = list(state.module.get_inputs())
    state.pool[h["slot"]] = [x.to(state.device) if isinstance(x, torch.Tensor) else x for x in inputs]
    try:  # run the reference now, so that a broken one is reported as such, first
        _ref_output(state, h["slot"], 0)
    except BaseException as e:  # noqa: BLE001
        return _error("reference_error", "its forward raised", e)
    spec, data = encode(inputs)
    return {"ok": True, "spec": spec}, data


def op_put(state, h, payload):
    state.pool[h["slot"]] = decode(h["spec"], payload, device=state.device)
    return {"ok": True}, b""


def op_call(state, h, payload):
    slot, shift = h["slot"], h.get("shift", 0)
    if state.role == "ref":
        out, _ = _ref_output(state, slot, shift)
        spec, data = encode({"out": out}) if h.get("send") else (None, b"")
        return {"ok": True, "spec": spec}, data
    src = state.pool[slot]
    if h.get("reuse") and state.buffers is not None:
        for d, s in zip(state.buffers, src):
            _fill(d, s, shift)
    else:
        state.buffers = _fresh(src, shift)
    state.launches = {}
    t0 = time.perf_counter()
    try:
        out = _run(state, state.buffers)
    except BaseException as e:  # noqa: BLE001
        return _call_error(e)
    ms = (time.perf_counter() - t0) * 1e3
    findings = output_findings(state, out, state.buffers)
    state.last = ((slot, shift), out)
    spec, data = encode({"out": out, "inputs": state.buffers})
    kernels = [{"name": k, **v} for k, v in state.launches.items()]
    return {"ok": True, "ms": ms, "findings": findings, "spec": spec, "kernels": kernels}, data


def op_compare(state, h, payload):
    from kopt.tools.compare import compare_outputs, inputs_unchanged
    from kopt.sandbox.protocol import ProtocolError
    expected, expected_inputs = _ref_output(state, h["slot"], h.get("shift", 0))
    try:
        got = decode(h["spec"], payload)
    except ProtocolError as e:
        return {"ok": True, "match": False, "reason": f"the candidate's reply is malformed: {e}", "metrics": {}}, b""
    if not isinstance(got, dict):
        return {"ok": True, "match": False, "reason": "the candidate's reply is malformed", "metrics": {}}, b""
    m = compare_outputs(_cpu(expected), got.get("out"), state.tolerance)
    changed = None
    if h.get("require_inputs", True) or got.get("inputs") is not None:
        changed = inputs_unchanged(_cpu(expected_inputs), got.get("inputs"))
    return {"ok": True, "match": m.ok, "reason": m.reason, "metrics": m.metrics, "inputs_changed": changed}, b""


def op_degenerate(state, h, payload):
    from kopt.tools.compare import degeneracy
    a, _ = _ref_output(state, h["slots"][0], 0)
    b, _ = _ref_output(state, h["slots"][1], 0)
    return {"ok": True, "degenerate": degeneracy(a, b)}, b""


def op_time(state, h, payload):
    from kopt.tools.timing import time_trials
    schedule = h["schedule"]
    first = state.pool[schedule[0][0]]
    if state.buffers is None or len(state.buffers) != len(first):
        state.buffers = _fresh(first, 0)

    def prepare(i):
        slot, shift = schedule[i]
        for d, s in zip(state.buffers, state.pool[slot]):
            _fill(d, s, shift)

    # Outputs of timed calls are kept (copied outside the timed region, within a byte budget) so
    # the judge can pick, after the batch, which of them to verify.
    budget = (1 << 30) if state.device.startswith("cuda") else (256 << 20)
    stash, used = {}, [0]

    def keep(i, out):
        size = sum(t.numel() * t.element_size() for t in tensors(out))
        if i < len(schedule) - 1 and used[0] + size <= budget:
            stash[i] = _detached_copy(out)
            used[0] += size

    try:
        # Timed calls run exactly like checked ones (no_grad included), so a candidate cannot
        # tell them apart and behave only when watched.
        res = time_trials(lambda: _forward(state, state.buffers), prepare, len(schedule), state.device,
                          flush=h.get("flush", True), warmup=1 if state.device.startswith("cuda") else 0,
                          keep=keep if state.role == "cand" else None)
    except BaseException as e:  # noqa: BLE001
        return _call_error(e)
    last = res.pop("last")
    findings = output_findings(state, last, state.buffers) if state.role == "cand" else []
    state.last = (tuple(schedule[-1]), last)
    state.stash = {i: (tuple(schedule[i]), o) for i, o in stash.items()}
    return {"ok": True, **res, "findings": findings, "kept": sorted(stash)}, b""


def op_kept(state, h, payload):
    """A kept timed output: index -1 is the batch's last call (sent with the inputs as they are now)."""
    i = h.get("index", -1)
    if i == -1:
        (key, out), inputs = state.last, state.buffers
    else:
        (key, out), inputs = state.stash[i], None
    spec, data = encode({"out": out, "inputs": inputs})
    return {"ok": True, "key": list(key), "spec": spec}, data


def op_bulk(state, h, payload):
    from kopt.tools.timing import sync
    state.buffers = _fresh(state.pool[h["slot"]], 0)
    sync(state.device)
    t0 = time.perf_counter()
    try:
        with _no_grad():
            for _ in range(h["n"]):
                state.model(*state.buffers)
        sync(state.device)
    except BaseException as e:  # noqa: BLE001
        return _call_error(e)
    return {"ok": True, "ms": (time.perf_counter() - t0) * 1e3}, b""


def op_count(state, h, payload):
    """FLOPs and compulsory bytes of the problem's forward (kopt.tools.flops); reference role only."""
    from kopt.tools.flops import count_problem
    return {"ok": True, "counts": count_problem(h["path"])}, b""


def op_xcompile(state, h, payload):
    from kopt.sandbox.compile_kernels import op_xcompile as compile_for_target
    return compile_for_target(state, h, payload)


def op_ncu(state, h, payload):
    from kopt.sandbox.profile_ncu import op_ncu as profile
    return profile(state, h, payload)


OPS = {"hello": op_hello, "load_ref": op_load_ref, "load_cand": op_load_cand, "gen": op_gen,
       "put": op_put, "call": op_call, "compare": op_compare, "degenerate": op_degenerate,
       "time": op_time, "kept": op_kept, "bulk": op_bulk, "count": op_count, "xcompile": op_xcompile,
       "ncu": op_ncu}


_OWN = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _user_frame(exc: BaseException) -> str:
    """`file:line in func: code` of the deepest frame in the user's own file (not torch, not kopt)."""
    where = ""
    for fr in traceback.extract_tb(exc.__traceback__):
        f = fr.filename
        if "site-packages" in f or f.startswith(_OWN) or f.startswith("<"):
            continue
        where = f"{os.path.basename(f)} line {fr.lineno}, in {fr.name}" + (f": `{fr.line.strip()}`" if fr.line else "")
    return where


def _error(kind: str, message: str, exc: BaseException) -> tuple[dict, bytes]:
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        text = f"{type(exc).__name__}: {exc}"
    except BaseException:  # noqa: BLE001 - a hostile __str__
        text = type(exc).__name__
    where = _user_frame(exc)
    return {"op": "error", "kind": kind, "message": f"{message}: {text[:600]}" + (f" (at {where})" if where else ""),
            "traceback": tb[-CLIP:]}, b""


def _call_error(exc: BaseException) -> tuple[dict, bytes]:
    name = type(exc).__name__
    mod = type(exc).__module__ or ""
    if "CompilationError" in name or (mod.startswith("triton") and "Compil" in name):
        return _error("compile_error", "the Triton kernel failed to compile", exc)
    if name == "InterpreterError":  # the interpreter's form of an error in a kernel's body
        return _error("compile_error", "the Triton kernel failed in the interpreter", exc)
    if isinstance(exc, MemoryError) or "OutOfMemory" in name:
        return _error("runtime_error", "forward ran out of memory", exc)
    return _error("runtime_error", "forward raised an exception", exc)


def main() -> int:
    in_fd, out_fd = (int(x) for x in os.environ.pop("KOPT_FDS").split(","))
    # Everything the judge relies on is imported before any candidate code exists, so the
    # tamper catalog remembers the genuine objects.
    import torch  # noqa: F401
    from kopt.tools import compare, integrity, loader, timing  # noqa: F401
    try:
        import triton  # noqa: F401
        import triton.testing  # noqa: F401
    except Exception:  # a CPU-only torch without triton can still check plain-PyTorch candidates
        pass
    state = State()
    while True:
        frame = recv_frame(in_fd)
        op = frame.header.get("op")
        if op == "exit":
            return 0
        handler = OPS.get(op)
        try:
            header, data = handler(state, frame.header, frame.payload) if handler else (
                {"op": "error", "kind": "protocol", "message": f"unknown op {op!r}"}, b"")
        except BaseException as e:  # noqa: BLE001 - the judge decides what it means
            kind = "reference_error" if state.role == "ref" else "runtime_error"
            header, data = _error(kind, f"{op} failed", e)
        send_frame(out_fd, header, data)


if __name__ == "__main__":
    sys.exit(main())

"""The reference worker: loads the problem at a configuration, makes inputs, runs the reference,
and does every comparison. Run as `python -m kopt.sandbox.ref_worker` inside the sandbox.

It never runs candidate code and never rebuilds anything from a candidate's bytes except through
the code-free codec (kopt.sandbox.protocol.decode) and, on CPU, by reading raw bytes back from
the shared input region (kopt.sandbox.inputs.Shared).

Commands: hello, load_ref (the judged configuration), config (an unseen one, validated here),
gen (inputs for a slot, optionally probed), perturb (checkpoint-like new weights), compare,
degenerate, remember (keep an expected output for a later recheck), time, bulk, count.
"""
from __future__ import annotations

import sys
import time

from kopt.sandbox import inputs as inp
from kopt.sandbox import serve, variation
from kopt.sandbox.protocol import ProtocolError, decode, encode

MAX_CACHE = 8


class State:
    def __init__(self):
        self.device = "cpu"
        self.path = None
        self.source = None            # the problem as written
        self.judged = None            # kopt.tools.judged.Config of the judged configuration
        self.module = self.model = None
        self.tolerance = None
        self.pool: dict = {}          # slot -> inputs (layouts as get_inputs made them)
        self.tags: dict = {}          # slot -> (seed, probe) that made them
        self.cache: dict = {}         # (slot, mix) -> (output, pristine inputs)
        self.init_buffers = None      # buffers as constructed (and loaded)
        self.first_buffers = None     # buffers right after the model's first forward
        self.remembered: dict = {}    # name -> expected output, kept across configurations
        self.shm = inp.Shared.from_env()
        self.ref_ms = None


def _forward(state, inputs, model=None):
    import torch
    from kopt.tools.timing import sync
    with torch.no_grad():
        out = (model or state.model)(*inputs)
    sync(state.device)
    return out


def _ref_output(state, slot: int, mix: int):
    key = (slot, mix)
    if key not in state.cache:
        if len(state.cache) >= MAX_CACHE:
            state.cache.pop(next(iter(state.cache)))
        src = state.pool[slot]
        out = _forward(state, inp.fresh(src, mix))
        if state.first_buffers is None:
            state.first_buffers = variation.buffers_of(state.model)
        state.cache[key] = (out, inp.fresh(src, mix))
    return state.cache[key]


def _build(state, module, seed: int, perturb: int | None):
    """Construct Model as the candidate will be constructed; returns (init, state_dict spec)."""
    import torch
    torch.manual_seed(seed)
    init = list(module.get_init_inputs())
    torch.manual_seed(seed)
    model = module.Model(*init).to(state.device)
    if perturb is not None:
        variation.perturb(model, perturb)
    state.module, state.model = module, model
    state.pool, state.tags, state.cache, state.first_buffers = {}, {}, {}, None
    state.init_buffers = variation.buffers_of(model)
    state.initial = {k: v.detach().clone() for k, v in model.state_dict().items()}
    sd = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    return init, sd


# A reduction of more elements than this into one (a norm of the whole tensor) differs by summation
# order alone by more than POINTWISE_FP32 allows: such a reference keeps the default fp32 tolerance.
LONG_REDUCTION = 1 << 16


def _op_tolerance(state, inputs) -> dict | None:
    """{"pointwise": True} when one reference forward runs no matmul, convolution or attention, and
    no reduction of more than LONG_REDUCTION elements into one (kopt.tools.compare.POINTWISE_FP32);
    None otherwise, or when that cannot be told."""
    import torch
    from torch.overrides import TorchFunctionMode
    from kopt.tools.compare import dense_op, tensors
    seen = set()

    # A function mode, not a dispatch mode: the first dispatch mode imports torch._dynamo (a second
    # or more per worker). Matmuls, convolutions and attention all pass through torch functions.
    class Ops(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            seen.add(getattr(func, "__name__", "").strip("_"))
            out = func(*args, **(kwargs or {}))
            biggest = max((t.numel() for t in tensors(list(args))), default=0)
            made = sum(t.numel() for t in tensors(out)) if isinstance(out, (torch.Tensor, tuple, list)) else 0
            if made and biggest > LONG_REDUCTION * made:
                seen.add("long reduction")
            return out

    try:
        model = state.module.Model(*state.module.get_init_inputs()).to(state.device)
        xs = [x.to(state.device) if isinstance(x, torch.Tensor) else x for x in inputs]
        with torch.no_grad(), Ops():
            model(*xs)
    except BaseException as e:  # noqa: BLE001 - the reference's own failure is reported where it runs
        if isinstance(e, KeyboardInterrupt):
            raise
        return None
    return None if "long reduction" in seen or any(dense_op(n) for n in seen) else {"pointwise": True}


def op_hello(state, h, payload):
    return {"ok": True, **serve.versions()}, b""


def op_load_ref(state, h, payload):
    from kopt.tools.judged import judged_config
    serve.set_device(state, h["device"])
    state.path = h["path"]
    state.source = open(state.path).read()
    module, cfg = judged_config(state.path, h["device"], h.get("sizes", "auto"))
    state.judged = cfg
    init, sd = _build(state, module, h["seed"], None)
    import torch
    torch.manual_seed(h["seed"])
    sample = list(module.get_inputs())  # how much shared memory the candidate's input buffers need
    state.tolerance = getattr(module, "KOPT_TOLERANCE", None) or _op_tolerance(state, sample)
    spec, data = encode({"init": init, "state": sd})
    return {"ok": True, "spec": spec, "sizes": cfg.sizes(), "values": cfg.values, "size_note": cfg.note,
            "tolerance": state.tolerance, "input_bytes": inp.region_bytes(sample)}, data


def op_config(state, h, payload):
    """Load an unseen configuration and keep it only if the reference is usable there: it runs,
    its outputs are finite and depend on the inputs, and it stays within the time budget."""
    from kopt.tools import loader, sizing
    from kopt.tools.compare import degeneracy
    source = sizing.apply(state.source, state.judged.symbols, h["values"])
    try:
        module = loader.exec_module(state.path, source)
        init, sd = _build(state, module, h["seed"], h.get("perturb"))
        t = time.perf_counter()
        outs = []
        for slot, seed in enumerate(h["input_seeds"]):
            need = inp.region_bytes(_gen(state, slot, seed, None))
            if h.get("max_input_bytes") and need > h["max_input_bytes"]:
                # Known before any forward runs: the candidate's inputs live in shared memory sized
                # before it loaded (judge_session.SharedInputs).
                return {"ok": True, "usable": False,
                        "why": f"its inputs take {need / 2**20:.1f} MiB, more than the "
                               f"{h['max_input_bytes'] / 2**20:.1f} MiB an unseen configuration may take"}, b""
            outs.append(_ref_output(state, slot, 0)[0])
        per_call = (time.perf_counter() - t) / max(1, len(outs))
    except BaseException as e:  # noqa: BLE001 - the reference does not run here: another one is drawn
        if isinstance(e, KeyboardInterrupt):
            raise
        return {"ok": True, "usable": False, "why": f"{type(e).__name__}: {str(e)[:160]}"}, b""
    why = None
    if not all(variation.all_finite(o) for o in outs):
        why = "the reference is not finite there"
    elif len(outs) > 1 and degeneracy(outs[0], outs[1]):
        why = f"degenerate there: {degeneracy(outs[0], outs[1])}"
    elif h.get("max_ms") and per_call * 1e3 > h["max_ms"]:
        why = f"the reference takes {per_call * 1e3:.0f} ms there (budget {h['max_ms']:.0f} ms)"
    if why:
        return {"ok": True, "usable": False, "why": why}, b""
    state.tolerance = getattr(module, "KOPT_TOLERANCE", state.tolerance)
    # Back to the state as constructed: the candidate's first call must meet the same model (its
    # buffers are compared with the reference's after that first call).
    state.model.load_state_dict(state.initial)
    state.cache, state.first_buffers = {}, None
    spec, data = encode({"init": init, "state": sd})
    return {"ok": True, "usable": True, "spec": spec, "ref_ms": per_call * 1e3}, data


def _gen(state, slot: int, seed: int, probe: str | None):
    import torch
    torch.manual_seed(seed)
    xs = [x.to(state.device) if isinstance(x, torch.Tensor) else x for x in state.module.get_inputs()]
    if probe:
        xs = variation.probe(xs, probe)
    state.pool[slot], state.tags[slot] = xs, (seed, probe)
    for key in [k for k in state.cache if k[0] == slot]:
        del state.cache[key]
    return xs


def op_gen(state, h, payload):
    from kopt.tools.compare import tensors
    slot, seed, probe = h["slot"], h["seed"], h.get("probe")
    if state.tags.get(slot) != (seed, probe):
        xs = _gen(state, slot, seed, probe)
        if probe in variation.HALF_ONLY and not variation.has_float(xs, half=True):
            return {"ok": True, "skip": "no float16 or bfloat16 input"}, b""
        if probe and not variation.has_float(xs):
            return {"ok": True, "skip": "the problem has no floating-point inputs"}, b""
    try:  # run the reference now, so that a broken one is reported as such, first
        out, _ = _ref_output(state, slot, 0)
        if probe and not variation.all_finite(out):
            if probe.endswith("large"):  # weaker scale once before giving up on the probe
                for down in (1, 2):
                    base = _gen(state, slot, seed, None)  # also drops the cached outputs of this slot
                    state.pool[slot], state.tags[slot] = variation.probe(base, probe, down), (seed, probe)
                    out, _ = _ref_output(state, slot, 0)
                    if variation.all_finite(out):
                        break
            if not variation.all_finite(out):
                return {"ok": True, "skip": "the reference itself is not finite on it"}, b""
        if probe in variation.HALF_ONLY and not _stable_in_float32(state, slot, out):
            return {"ok": True, "skip": "the reference's own result moves beyond tolerance in float32"}, b""
    except BaseException as e:  # noqa: BLE001
        if isinstance(e, KeyboardInterrupt):
            raise
        if probe:  # the reference itself does not take these inputs (a view of a strided one, say)
            return {"ok": True, "skip": f"the reference raises on it ({type(e).__name__}: {str(e)[:120]})"}, b""
        if isinstance(e, MemoryError) and state.device == "cpu":
            return serve.error("reference_error", "its forward ran out of memory at these sizes", e)
        return serve.error("reference_error", "its forward raised", e)
    spec, data = encode(state.pool[slot], layout=True)
    out_bytes = sum(t.numel() * t.element_size() for t in tensors(out))
    return {"ok": True, "spec": spec, "out_nbytes": out_bytes}, data


def _stable_in_float32(state, slot: int, out) -> bool:
    """Whether the reference gives the same answer (within tolerance) run in float32: a probe that
    the reference itself only gets roughly right in half precision is no test of the candidate."""
    import copy

    import torch
    from kopt.tools.compare import compare_outputs, tensors
    model = copy.deepcopy(state.model).float()  # a copy: the reference's own buffers do not move
    wide = [x.float() if isinstance(x, torch.Tensor) and x.is_floating_point() else x
            for x in inp.fresh(state.pool[slot], 0)]
    try:
        out32 = _forward(state, wide, model)
    except Exception:  # noqa: BLE001 (a dtype-specific reference: nothing to compare it with)
        return False
    pairs = list(zip(tensors(out), tensors(out32)))
    return bool(pairs) and all(not a.is_floating_point() or compare_outputs(b.to(a.dtype), a).ok for a, b in pairs)


def op_perturb(state, h, payload):
    """New weights for both models (the candidate gets them through load_state_dict) and new
    hyperparameters of standard submodules (variation.move_hyper); `sparse`: only part of one
    parameter moves (variation.perturb_sparse)."""
    if h.get("sparse"):
        if variation.perturb_sparse(state.model, h["seed"]) is None:
            return {"ok": True, "skip": "no floating-point parameter"}, b""
        attrs = {}
    else:
        variation.perturb(state.model, h["seed"])
        attrs = variation.move_hyper(state.model, h["seed"])
    state.cache = {}
    sd = {k: v.detach().cpu() for k, v in state.model.state_dict().items()}
    spec, data = encode(sd)
    return {"ok": True, "spec": spec, "attrs": attrs}, data


def op_eval(state, h, payload):
    """Switch to eval mode if it changes the reference's output (BatchNorm's running statistics,
    dropout): then the candidate is checked in eval mode too, as users run a loaded checkpoint."""
    import torch
    was = state.model.training  # a problem may construct its model in eval mode: it stays there
    train_out, _ = _ref_output(state, h["slot"], h["mix"])
    state.model.eval()
    state.cache = {}
    eval_out, _ = _ref_output(state, h["slot"], h["mix"])
    from kopt.tools.compare import tensors
    matters = any(not torch.equal(a, b) for a, b in zip(tensors(train_out), tensors(eval_out)))
    if not matters:
        state.model.train(was)
        state.cache = {}
    return {"ok": True, "matters": matters}, b""


def op_train(state, h, payload):
    state.model.train()
    state.cache = {}
    return {"ok": True}, b""


def op_remember(state, h, payload):
    state.remembered[h["name"]] = serve.to_cpu(serve.detached_copy(_ref_output(state, h["slot"], h["mix"])[0]))
    return {"ok": True}, b""


def _malformed(reason: str):
    return {"ok": True, "match": False, "reason": reason, "metrics": {}}, b""


def op_compare(state, h, payload):
    from kopt.tools.compare import compare_buffers, compare_outputs, inputs_unchanged
    try:
        got = decode(h["spec"], payload)
    except ProtocolError as e:
        return _malformed(f"the candidate's reply is malformed: {e}")
    if not isinstance(got, dict):
        return _malformed("the candidate's reply is malformed")
    if h.get("expect"):
        expected, expected_inputs = state.remembered[h["expect"]], None
    else:
        expected, expected_inputs = _ref_output(state, h["slot"], h.get("mix", 0))
    m = compare_outputs(serve.to_cpu(expected), got.get("out"), state.tolerance)
    changed = None
    if expected_inputs is not None and h.get("region") is not None and state.shm.fd is not None:
        # CPU: read the candidate's input buffers back ourselves, from the shared region.
        after = state.shm.tensors(h["region"], h["input_spec"], writable=False)
        changed = inputs_unchanged(serve.to_cpu(expected_inputs), after)
    elif expected_inputs is not None and (h.get("require_inputs", True) or got.get("inputs") is not None):
        changed = inputs_unchanged(serve.to_cpu(expected_inputs), got.get("inputs"))
    buffers = None
    if m.ok and h.get("buffers") and state.first_buffers:
        buffers = compare_buffers(serve.to_cpu(state.init_buffers), serve.to_cpu(state.first_buffers),
                                  got.get("buffers"), state.tolerance)
    return {"ok": True, "match": m.ok, "reason": m.reason, "metrics": m.metrics, "inputs_changed": changed,
            "buffers": buffers}, b""


def op_degenerate(state, h, payload):
    import torch
    from kopt.tools.compare import degeneracy, tensors
    a, _ = _ref_output(state, h["slots"][0], 0)
    b, _ = _ref_output(state, h["slots"][1], 0)
    # The same inputs once more: a reference that gives another answer (dropout in training mode,
    # an unseeded random op) cannot be checked against at all.
    again = _forward(state, inp.fresh(state.pool[h["slots"][0]], 0))
    same = all(torch.equal(x, y) or (x.is_floating_point() and torch.allclose(x, y, equal_nan=True, rtol=0, atol=0))
               for x, y in zip(tensors(a), tensors(again)))
    return {"ok": True, "degenerate": degeneracy(a, b), "nondeterministic": not same}, b""


def op_time(state, h, payload):
    from kopt.tools.timing import time_trials
    schedule = h["schedule"]
    buffers = inp.fresh(state.pool[schedule[0][0]])

    def prepare(i):
        slot, mix = schedule[i]
        for d, s in zip(buffers, state.pool[slot]):
            inp.fill(d, s, mix)

    import torch
    with torch.no_grad():
        res = time_trials(lambda: state.model(*buffers), prepare, len(schedule), state.device,
                          flush=h.get("flush", True), warmup=1 if state.device.startswith("cuda") else 0)
    res.pop("last")
    return {"ok": True, **res, "findings": [], "kept": []}, b""


def op_bulk(state, h, payload):
    import torch
    from kopt.tools.timing import sync
    buffers = inp.fresh(state.pool[h["slot"]])
    sync(state.device)
    t0 = time.perf_counter()
    with torch.no_grad():
        for _ in range(h["n"]):
            state.model(*buffers)
    sync(state.device)
    return {"ok": True, "ms": (time.perf_counter() - t0) * 1e3}, b""


def op_count(state, h, payload):
    """FLOPs and compulsory bytes of the problem's forward (kopt.tools.flops)."""
    from kopt.tools.flops import count_problem
    return {"ok": True, "counts": count_problem(h["path"])}, b""


OPS = {"hello": op_hello, "load_ref": op_load_ref, "config": op_config, "gen": op_gen, "perturb": op_perturb,
       "remember": op_remember, "eval": op_eval, "train": op_train, "compare": op_compare, "degenerate": op_degenerate, "time": op_time,
       "bulk": op_bulk, "count": op_count}


def main() -> int:
    import torch  # noqa: F401
    from kopt.tools import compare, judged, loader, sizing, timing  # noqa: F401
    return serve.serve(State(), OPS, "reference_error")


if __name__ == "__main__":
    sys.exit(main())

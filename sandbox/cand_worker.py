"""The candidate worker: loads the candidate (ModelNew) and runs it as the judge asks. Run as
`python -m kopt.sandbox.cand_worker` inside the sandbox. It never sees the problem file (the
sandbox shows it as empty) or a reference output.

Every call, checked or timed, goes through `op_run` and kopt.tools.timing.time_trials, so the
candidate sees the same stack, the same buffers and the same no_grad state whether or not it is
being timed or which of its calls will be compared.

Commands: hello, load_cand (a configuration's ModelNew; again for each unseen configuration),
load_state (checkpoint-like new weights), put (inputs for a slot), run (one or more calls),
kept (a kept timed output), recheck (a kept output, again, later), bulk, xcompile, ncu.
"""
from __future__ import annotations

import sys
import threading
import time

from kopt.sandbox import inputs as inp
from kopt.sandbox import observe, serve, variation
from kopt.sandbox.protocol import decode, encode


class State:
    def __init__(self):
        self.device = "cpu"
        self.module = self.model = None
        self.init = None
        self.pool: dict = {}          # slot -> inputs, as decoded
        self.specs: dict = {}         # slot -> their encoded spec (for shared-memory regions)
        self.buffers = None           # the input buffers the last call used
        self.last = None              # (key, output) of the most recent call
        self.prev_out = None          # the previous call's output, kept alive for the storage check
        self.kept: dict = {}          # name -> (key, output object) for later rechecks
        self.stash: dict = {}         # index -> (key, copy of output) of kept timed calls
        self.watch = None
        self.threads0: set = set()
        self.tids0: set = set()
        self.cpu_mark = None
        self.launches: dict = {}      # Triton kernels launched during the current call
        self.sanitizer = None
        self.shm = inp.Shared.from_env()


def op_hello(state, h, payload):
    return {"ok": True, **serve.versions()}, b""


def op_load_cand(state, h, payload):
    import torch
    from kopt.sandbox.tamper import TamperWatch
    from kopt.tools import loader
    serve.set_device(state, h["device"])
    got = decode(h["spec"], payload)
    init, ref_state = got["init"], got["state"]
    state.init = init  # kept for a profiler run in a child process (kopt.sandbox.profile_ncu)
    first = state.watch is None
    if first:
        observe.record_triton_launches(state)
        if h.get("sanitize"):
            state.sanitizer = observe.install_sanitizer()
        if h.get("preimport_dynamo"):  # torch.compile rebinds torch functions on import: before the catalog
            import torch._dynamo  # noqa: F401
        state.watch = TamperWatch()
        state.threads0 = {t.ident for t in threading.enumerate()}
        state.tids0 = observe.task_ids()
    state.pool, state.specs, state.buffers, state.last, state.prev_out, state.stash = {}, {}, None, None, None, {}
    try:
        module = loader.exec_module(h["path"], h.get("source"))
    except BaseException as e:  # noqa: BLE001 - anything the candidate raises is a verdict
        return serve.error("compile_error", "importing the candidate failed", e)
    findings = [{"code": "tamper", "message": f"replaced `{n}` at import"} for n in state.watch.changed()]
    try:
        torch.manual_seed(h["seed"])
        model = module.ModelNew(*init)
        own = model.state_dict()
        matched = {k: v for k, v in ref_state.items() if k in own and tuple(own[k].shape) == tuple(v.shape)}
        model.load_state_dict(matched, strict=False)
        state.module, state.model = module, model.to(state.device)
    except BaseException as e:  # noqa: BLE001
        return serve.error("runtime_error", "constructing ModelNew failed", e)
    if observe.working_threads(state.threads0):
        findings.append({"code": "background_thread", "message": "started threads while loading"})
    state.cpu_mark = None
    return {"ok": True, "findings": findings, "matched": sorted(matched),
            "unmatched": sorted(set(ref_state) - set(matched))}, b""


def op_load_state(state, h, payload):
    """New parameter and buffer values, loaded the way a user loads a checkpoint: `assign` replaces
    the tensors (load_state_dict(assign=True)) where the dtype matches; `attrs` sets the reference's
    new submodule hyperparameters (variation.set_hyper)."""
    sd = decode(h["spec"], payload, device=state.device if h.get("assign") else None)
    own = state.model.state_dict()
    matched = {k: v for k, v in sd.items() if k in own and tuple(own[k].shape) == tuple(v.shape)}
    try:
        if h.get("assign"):
            fits = {k: v.clone() for k, v in matched.items()
                    if v.dtype == own[k].dtype and v.device == own[k].device}
            state.model.load_state_dict(fits, strict=False, assign=True)
            rest = {k: v for k, v in matched.items() if k not in fits}
            if rest:
                state.model.load_state_dict(rest, strict=False)
        else:
            state.model.load_state_dict(matched, strict=False)
        attrs = variation.set_hyper(state.model, h.get("attrs") or {})
    except BaseException as e:  # noqa: BLE001
        return serve.error("runtime_error", "loading new parameter values (load_state_dict) failed", e)
    return {"ok": True, "matched": sorted(matched), "attrs": attrs}, b""


def op_mode(state, h, payload):
    try:
        state.model.train(bool(h["train"]))
    except BaseException as e:  # noqa: BLE001
        return serve.error("runtime_error", "switching ModelNew's train/eval mode failed", e)
    return {"ok": True}, b""


def op_put(state, h, payload):
    state.pool[h["slot"]] = decode(h["spec"], payload, device=state.device)
    state.specs[h["slot"]] = h["spec"]
    return {"ok": True}, b""


def _forward(state, inputs):
    import torch
    with torch.no_grad():
        return state.model(*inputs)


def op_run(state, h, payload):
    """Run the schedule's calls ([[slot, mix], ...]) through the one timing path.

    `region` (CPU) or `fresh`: new input buffers first (in the shared region at that offset);
    otherwise the last call's buffers are refilled (same addresses). `send`: reply with the last
    output (and, off CPU, the inputs as they are now). Earlier outputs stay alive until the next
    call has returned, so an output that shares storage with the previous one is visible."""
    from kopt.tools.timing import time_trials
    schedule = h["schedule"]
    findings = observe.between_calls(state)
    slot0 = schedule[0][0]
    if h.get("region") is not None:
        if state.shm.fd is None:
            return {"op": "error", "kind": "protocol", "message": "no shared input memory in this worker"}, b""
        state.buffers = state.shm.tensors(h["region"], state.specs[slot0], writable=True)
    elif h.get("fresh") or state.buffers is None:
        state.buffers = inp.fresh(state.pool[slot0])

    def prepare(i):
        slot, mix = schedule[i]
        for d, s in zip(state.buffers, state.pool[slot]):
            inp.fill(d, s, mix)

    # Timed outputs are copied outside the timed region (within a byte budget) so the judge can
    # pick, after the batch, which of them to verify.
    budget = (1 << 30) if state.device.startswith("cuda") else (256 << 20)
    stash, used = {}, [0]

    def keep(i, out):
        findings.extend(observe.shares_storage(out, state.prev_out))
        state.prev_out = out
        if not h.get("send") and i < len(schedule) - 1:
            size = observe.nbytes(out)
            if used[0] + size <= budget:
                stash[i] = serve.detached_copy(out)
                used[0] += size

    findings += [{"code": "mode_stack", "message": f"left a {m} active before its call"} for m in observe.modes()]
    state.launches = {}
    if state.sanitizer is not None:
        state.sanitizer.take()
        state.sanitizer.enabled = bool(h.get("sanitize"))
    try:
        res = time_trials(lambda: _forward(state, state.buffers), prepare, len(schedule), state.device,
                          flush=h.get("flush", True), warmup=h.get("warmup", 0), keep=keep)
    except BaseException as e:  # noqa: BLE001
        return serve.call_error(e)
    finally:
        if state.sanitizer is not None:
            state.sanitizer.enabled = False
    last = res.pop("last")
    findings += observe.output_findings(state, last, state.buffers)
    if state.sanitizer is not None:
        findings += [{**f, "code": f["code"], "sanitizer": True} for f in state.sanitizer.take()]
    state.last = (tuple(schedule[-1]), last)
    state.stash = {i: (tuple(schedule[i]), o) for i, o in stash.items()}
    if h.get("keep_as"):
        state.kept[h["keep_as"]] = state.last
    kernels = [{"name": k, **v} for k, v in state.launches.items()]
    header = {"ok": True, **res, "findings": findings, "kernels": kernels, "kept": sorted(stash)}
    data = b""
    if h.get("send"):
        reply = {"out": last}
        if state.shm.fd is None:  # on CPU the reference reads the inputs back from shared memory itself
            reply["inputs"] = state.buffers
        if h.get("buffers"):
            reply["buffers"] = {k: v for k, v in state.model.named_buffers()}
        header["spec"], data = encode(reply)
    state.cpu_mark = observe.cpu_mark()
    return header, data


def op_kept(state, h, payload):
    """A kept timed output: index -1 is the batch's last call (sent with the inputs as they are now)."""
    i = h.get("index", -1)
    if i == -1:
        (key, out), inputs = state.last, state.buffers
    else:
        (key, out), inputs = state.stash[i], None
    reply = {"out": out}
    if inputs is not None and state.shm.fd is None:
        reply["inputs"] = inputs
    spec, data = encode(reply)
    return {"ok": True, "key": list(key), "spec": spec}, data


def op_recheck(state, h, payload):
    """A kept output as it is now, after a short wait: it must not have changed since it returned."""
    time.sleep(min(float(h.get("wait", 0.1)), 2.0))
    key, out = state.kept[h["name"]]
    spec, data = encode({"out": out})
    findings = observe.output_findings(state, out, [])
    return {"ok": True, "key": list(key), "spec": spec, "findings": findings}, data


def op_bulk(state, h, payload):
    from kopt.tools.timing import sync
    buffers = inp.fresh(state.pool[h["slot"]])
    sync(state.device)
    t0 = time.perf_counter()
    try:
        for _ in range(h["n"]):
            _forward(state, buffers)
        sync(state.device)
    except BaseException as e:  # noqa: BLE001
        return serve.call_error(e)
    state.cpu_mark = observe.cpu_mark()
    return {"ok": True, "ms": (time.perf_counter() - t0) * 1e3}, b""


def op_xcompile(state, h, payload):
    from kopt.sandbox.compile_kernels import op_xcompile as compile_for_target
    try:
        return compile_for_target(state, h, payload)
    finally:
        state.cpu_mark = None


def op_ncu(state, h, payload):
    from kopt.sandbox.profile_ncu import op_ncu as profile
    state.cpu_mark = None
    return profile(state, h, payload)


OPS = {"hello": op_hello, "load_cand": op_load_cand, "load_state": op_load_state, "mode": op_mode, "put": op_put, "run": op_run,
       "kept": op_kept, "recheck": op_recheck, "bulk": op_bulk, "xcompile": op_xcompile, "ncu": op_ncu}


def main() -> int:
    # Everything the judge relies on is imported before any candidate code exists, so the
    # tamper catalog remembers the genuine objects.
    import torch  # noqa: F401
    from kopt.sandbox import compile_kernels, profile_ncu, tamper  # noqa: F401
    from kopt.tools import compare, loader, timing  # noqa: F401
    try:
        import triton  # noqa: F401
        import triton.testing  # noqa: F401
    except Exception:  # noqa: BLE001 - a CPU-only torch without triton can still check plain-PyTorch candidates
        pass
    return serve.serve(State(), OPS, "runtime_error")


if __name__ == "__main__":
    sys.exit(main())

"""What a worker observes about a candidate's call: kernels launched, output type and aliasing,
outputs sharing storage across calls, tampering, mode stacks, and work left running (Python
threads, native threads, child processes, CPU burnt between calls). Everything here runs in the
candidate's process, so it is a second line of defence; the first is the judge never trusting
this process with a decision.
"""
from __future__ import annotations

import os
import threading
import time
from kopt.sandbox.compile_kernels import note_launch
from kopt.tools.compare import tensors


def record_triton_launches(state) -> None:
    """Wrap Triton's launch entry points (compiled and interpreted) to list the kernels a call
    runs. Installed before the candidate exists, so the tamper catalog sees the wrapper as
    the original; a candidate that unwraps it is caught like any other replacement."""
    try:
        from triton.runtime import interpreter, jit
    except Exception:
        return
    for cls in (jit.JITFunction, getattr(interpreter, "InterpretedFunction", None)):
        if cls is None or not hasattr(cls, "run"):
            continue
        original = cls.run

        def run(self, *args, _original=original, **kwargs):
            fn = getattr(self, "fn", None)
            name = getattr(fn, "__name__", None) or repr(self)[:60]
            rec = state.launches.setdefault(name, {"launches": 0, "grid": None,
                                                   "qualname": getattr(fn, "__qualname__", name)})
            rec["launches"] += 1
            grid = kwargs.get("grid")
            rec["grid"] = list(grid) if isinstance(grid, (tuple, list)) else ("computed" if callable(grid) else grid)
            if fn is not None and state.device == "cpu":
                # Argument types and constexprs, for cross-compilation (kopt.tools.xcompile). Only in
                # the interpreter: on a GPU the JIT compiles for real, and timed launches stay bare.
                note_launch(rec, fn, args, {k: v for k, v in kwargs.items() if k not in ("grid", "warmup")})
            ret = _original(self, *args, **kwargs)
            if "native" not in rec and getattr(ret, "n_regs", None) is not None:
                # On a GPU the JIT hands back the compiled kernel: its real resource usage.
                md = getattr(ret, "metadata", None)
                rec["native"] = {"registers": ret.n_regs, "spills": getattr(ret, "n_spills", None),
                                 "shared_bytes": getattr(md, "shared", None), "num_warps": getattr(md, "num_warps", None)}
            return ret

        cls.run = run


def _storage_span(t):
    import torch
    try:
        st = torch.Tensor.untyped_storage(t)
        return st.data_ptr(), st.data_ptr() + st.nbytes()
    except Exception:
        return None


def output_findings(state, out, inputs) -> list[dict]:
    import torch
    found = []
    spans = [s for s in (_storage_span(x) for x in inputs if isinstance(x, torch.Tensor)) if s and s[1] > s[0]]
    for t in tensors(out):
        if type(t) is not torch.Tensor:
            found.append({"code": "tensor_subclass",
                          "message": f"returns a {type(t).__qualname__}, a torch.Tensor subclass"})
            continue
        span = _storage_span(t)
        if span and span[1] > span[0] and any(span[0] < b and a < span[1] for a, b in spans):
            found.append({"code": "output_aliases_input", "message": "returns an output that shares memory with an input"})
        if str(t.device) != str(torch.device(state.device)) and not (
                state.device == "cuda" and t.device.type == "cuda"):
            found.append({"code": "wrong_device", "message": f"returns an output on {t.device}, expected {state.device}"})
    if state.watch is not None:
        for name in state.watch.changed():
            found.append({"code": "tamper", "message": f"replaced `{name}`"})
    alive = working_threads(state.threads0)
    if alive:
        found.append({"code": "background_thread",
                      "message": f"left {len(alive)} thread(s) running after forward returned"})
    busy = native_threads(state) if hasattr(state, "tids0") else 0
    if busy and not alive:
        found.append({"code": "background_thread",
                      "message": f"left {busy} native thread(s) working after forward returned"})
    for m in modes():
        found.append({"code": "mode_stack", "message": f"left a {m} active after its call"})
    kids = _child_processes()
    if kids:
        # A child could go on computing (or load the CPU while the reference is timed).
        found.append({"code": "background_process",
                      "message": f"left {len(kids)} child process(es) running after forward returned"})
    return found


_LIBRARY = tuple({os.path.dirname(os.__file__) + os.sep} | {p + os.sep for p in __import__("sys").path
                                                             if p.endswith(("site-packages", "dist-packages"))})


def working_threads(baseline: set) -> set:
    """Python threads started since `baseline` that hold work: a pending threading.Timer, or a
    thread with any frame outside the standard library and installed packages (the candidate's
    own code). Idle pool workers that libraries keep (torch.compile's compile threads, a
    ThreadPoolExecutor waiting on its queue) are not work: every frame they have is library code.
    A library thread made to run candidate code shows that code's frame, and output written late
    by a library call is caught by the kept output's recheck."""
    import sys
    frames = sys._current_frames()
    busy = set()
    for t in threading.enumerate():
        if not t.is_alive() or t.ident in baseline:
            continue
        if isinstance(t, threading.Timer):
            busy.add(t.ident)
            continue
        f = frames.get(t.ident)
        while f is not None:
            if not f.f_code.co_filename.startswith(_LIBRARY):
                busy.add(t.ident)
                break
            f = f.f_back
    return busy


def nbytes(out) -> int:
    return sum(t.numel() * t.element_size() for t in tensors(out))


def shares_storage(out, prev) -> list[dict]:
    """An output whose storage overlaps the previous call's (still alive) output: the caller's
    earlier result would be overwritten by this call."""
    if prev is None:
        return []
    spans = [s for s in (_storage_span(t) for t in tensors(prev)) if s and s[1] > s[0]]
    for t in tensors(out):
        span = _storage_span(t)
        if span and span[1] > span[0] and any(span[0] < b and a < span[1] for a, b in spans):
            return [{"code": "output_reused", "message": "returns an output that shares memory with the previous "
                     "call's output (a caller keeping the earlier result would see it overwritten)"}]
    return []


def modes() -> list[str]:
    from kopt.sandbox.tamper import mode_stacks
    return mode_stacks()


def task_ids() -> set[str]:
    try:
        return set(os.listdir("/proc/self/task"))
    except OSError:
        return set()


def _task_cpu(tid: str) -> tuple[str, int]:
    try:
        with open(f"/proc/self/task/{tid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0], int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return "?", 0


def native_threads(state) -> int:
    """Threads created since the candidate was loaded that are still working: running now, or
    using CPU over a short window (idle thread pools sleep and use none)."""
    new = task_ids() - state.tids0 - {str(threading.get_native_id())}
    if not new:
        return 0
    first = {t: _task_cpu(t) for t in new}
    time.sleep(0.005)
    busy = 0
    for t in new:
        st, cpu = _task_cpu(t)
        if st == "R" or cpu > first[t][1]:
            busy += 1
    return busy


def cpu_mark() -> tuple[int, int]:
    """(CPU ticks of the whole process, of this thread): taken when a reply is sent."""
    return _process_cpu(), _task_cpu(str(threading.get_native_id()))[1]


def _process_cpu() -> int:
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def between_calls(state) -> list[dict]:
    """CPU other threads used while this worker waited for its next command (ticks of 10 ms):
    work that outlived forward and was never timed."""
    if state.cpu_mark is None:
        return []
    total0, main0 = state.cpu_mark
    total1, main1 = cpu_mark()
    other = (total1 - total0) - (main1 - main0)
    if other > 5:
        return [{"code": "background_work", "message": f"kept other threads busy ({other * 10} ms of CPU) "
                 "after forward returned, while nothing was being called"}]
    return []


def install_sanitizer():
    """The Triton interpreter sanitizer (kopt.sandbox.sanitizer), or None where it cannot hook."""
    try:
        from kopt.sandbox import sanitizer
    except Exception:  # noqa: BLE001
        return None
    try:
        san = sanitizer.install()
    except Exception:  # noqa: BLE001
        return None
    if san is not None:
        san.enabled = False
    return san


def _child_processes() -> list[str]:
    """Live processes besides this one: in a PID namespace every process in it but PID 1 (the
    launcher shell) and us, which also catches double-forked daemons; elsewhere our children."""
    me = str(os.getpid())
    if os.environ.get("KOPT_PIDNS") == "1":
        pids = [p for p in os.listdir("/proc") if p.isdigit() and p not in ("1", me)]
    else:
        pids = []
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/children") as f:
                    pids += f.read().split()
            except OSError:
                pass
    live = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "Z":  # an exited, unreaped child is no work
                    live.append(pid)
        except OSError:
            pass
    return live

"""The runtime tamper catalog: what the candidate's process must leave as it was.

Taken in the candidate worker before the candidate's file runs, checked after its import and
after every call. A change is a finding, and a finding means `rejected`. It covers:
  * the library functions the judge's code relies on (comparison, copies, clocks, CUDA events,
    nn.Module.__call__, ...), by identity, and the code objects of the Python ones;
  * every binding in kopt's own modules loaded in the worker and in the worker's `__main__`
    (its encoder, its findings, the timing module's globals): a candidate that rebinds what
    reports its inputs or its time is caught here;
  * the class dicts of torch.Tensor / TensorBase and the builtins module;
  * the torch dispatch and torch-function mode stacks, and sys trace/profile hooks: all must be
    empty before and after each call, so no mode can fill outputs in later or watch the judge.
What it cannot see: changes to plain data (a list the worker holds, a tensor's contents) reached
through objects the candidate can get at; that is why the judge never takes the candidate
process's word for what matters (sandbox/isolation.py).
"""
from __future__ import annotations

import sys
import types

# (module, attribute path) of every function whose identity the judge depends on.
CATALOG = (
    ("torch", "allclose"), ("torch", "isclose"), ("torch", "equal"), ("torch", "isfinite"),
    ("torch", "isnan"), ("torch", "abs"), ("torch", "sub"), ("torch", "empty"), ("torch", "empty_like"),
    ("torch", "zeros"), ("torch", "manual_seed"), ("torch", "frombuffer"), ("torch", "as_strided"),
    ("torch", "randperm"), ("torch", "Generator"), ("torch", "cat"), ("torch", "Tensor"),
    ("torch.testing", "assert_close"), ("torch.cuda", "synchronize"), ("torch.cuda", "Event"),
    ("torch.cuda", "Event.record"), ("torch.cuda", "Event.elapsed_time"), ("torch.cuda", "Event.synchronize"),
    ("torch.cuda", "current_stream"), ("torch.nn", "Module.__call__"), ("torch.nn", "Module._call_impl"),
    ("torch.nn", "Module.load_state_dict"), ("torch.nn", "Module.state_dict"),
    ("time", "perf_counter"), ("time", "perf_counter_ns"), ("time", "monotonic"), ("time", "time"),
    ("time", "process_time"), ("time", "sleep"), ("json", "dumps"), ("os", "write"), ("os", "read"),
    ("mmap", "mmap"), ("triton", "jit"), ("triton.testing", "do_bench"), ("threading", "enumerate"),
    ("triton.runtime.jit", "JITFunction.run"), ("triton.runtime.interpreter", "InterpretedFunction.run"),
    # The sanitizer's hooks (kopt.sandbox.sanitizer): unhooking them would hide a race or a stray access.
    ("triton.runtime.interpreter", "GridExecutor.__call__"),
    ("triton.runtime.interpreter", "InterpreterBuilder.create_load"),
    ("triton.runtime.interpreter", "InterpreterBuilder.create_store"),
    ("triton.runtime.interpreter", "InterpreterBuilder.create_masked_load"),
    ("triton.runtime.interpreter", "InterpreterBuilder.create_masked_store"),
    ("triton.runtime.interpreter", "InterpreterBuilder.create_atomic_rmw"),
)
# Tensor methods are all watched (the class dicts below); these are the ones the catalog names
# explicitly in its report when they change.
_CLASSES = ("torch.Tensor", "torch._C.TensorBase")


def _resolve(module: str, path: str):
    import importlib
    try:
        obj = importlib.import_module(module)
    except Exception:  # noqa: BLE001
        return None
    for part in path.split("."):
        # Class attributes come from the class dict: a classmethod looked up with getattr is a
        # new bound object every time, which would look like tampering.
        if isinstance(obj, type) and part in vars(obj):
            obj = vars(obj)[part]
        else:
            obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _code(obj):
    fn = getattr(obj, "__func__", obj)
    return getattr(fn, "__code__", None), getattr(fn, "__defaults__", None), getattr(fn, "__kwdefaults__", None)


def _own_modules() -> dict:
    return {name: m for name, m in list(sys.modules.items())
            if isinstance(m, types.ModuleType) and (name == "__main__" or name == "kopt" or name.startswith("kopt."))}


def _class_dict(path: str) -> dict:
    obj = _resolve(*path.rsplit(".", 1)) if "." in path else None
    return dict(vars(obj)) if isinstance(obj, type) else {}


def mode_stacks() -> list[str]:
    """Names of the non-empty mode stacks and hooks (each must be empty around a call)."""
    import torch
    found = []
    for name, fn in (("torch dispatch mode", "_len_torch_dispatch_stack"),
                     ("torch function mode", "_len_torch_function_stack")):
        f = getattr(torch._C, fn, None)
        if f is not None and f():
            found.append(name)
    if sys.gettrace() is not None:
        found.append("sys.settrace hook")
    if sys.getprofile() is not None:
        found.append("sys.setprofile hook")
    return found


class TamperWatch:
    """Remembers what the catalog covers; `changed()` names everything that is no longer the same."""

    def __init__(self):
        import builtins
        self._objs = {f"{m}.{a}": _resolve(m, a) for m, a in CATALOG}
        self._codes = {k: _code(v) for k, v in self._objs.items() if v is not None}
        self._modules = {m: sys.modules.get(m) for m, _ in CATALOG}
        self._own = {name: dict(vars(m)) for name, m in _own_modules().items()}
        self._own_codes = {(name, k): _code(v) for name, d in self._own.items() for k, v in d.items()
                           if isinstance(v, types.FunctionType)}
        self._classes = {c: _class_dict(c) for c in _CLASSES}
        self._builtins = dict(vars(builtins))

    def changed(self) -> list[str]:
        import builtins
        out = []
        for k, (m, a) in zip(self._objs, CATALOG):
            if self._objs[k] is None:
                continue
            now = _resolve(m, a)
            if now is not self._objs[k] or _differs(_code(now), self._codes.get(k)):
                out.append(k)
        out += [f"sys.modules[{m!r}]" for m, mod in self._modules.items()
                if mod is not None and sys.modules.get(m) is not mod]
        for name, before in self._own.items():
            mod = sys.modules.get(name)
            now = vars(mod) if mod is not None else {}
            if mod is None:
                out.append(f"sys.modules[{name!r}]")
                continue
            for k, v in before.items():
                if k in ("__builtins__",):
                    continue
                if now.get(k, _MISSING) is not v:
                    out.append(f"{name}.{k}")
                elif isinstance(v, types.FunctionType) and _differs(_code(v), self._own_codes.get((name, k))):
                    out.append(f"{name}.{k}.__code__")
        for c, before in self._classes.items():
            now = _class_dict(c)
            out += [f"{c}.{k}" for k, v in before.items() if now.get(k, _MISSING) is not v]
            # A method set on torch.Tensor shadows TensorBase's C one without changing any entry.
            out += [f"{c}.{k}" for k in now if k not in before]
        now_b = vars(builtins)
        out += [f"builtins.{k}" for k, v in self._builtins.items() if now_b.get(k, _MISSING) is not v]
        return out


_MISSING = object()


def _differs(a, b) -> bool:
    return a is not None and b is not None and any(x is not y for x, y in zip(a, b))

"""Worker side of cross-compilation: describe the Triton launches a candidate makes in the
interpreter, then compile those kernels for a GPU architecture with no GPU present.

Everything here runs inside the candidate's sandbox: compiling executes the candidate's Python
(its kernels' decorators and globals, and Triton's code generator evaluating its kernels). The
judge (kopt.tools.xcompile) decides what the results mean and caches them.

Why a separate process: under TRITON_INTERPRET=1, `@triton.jit` returns interpreter objects, and
that includes Triton's own library kernels (tl.max, tl.sum, ...) decorated when triton was
imported. Triton's GPU code generator only follows real JITFunctions, so the candidate worker
(which imported triton for the interpreter) cannot compile for a GPU. It starts this module as a
child process without TRITON_INTERPRET; the child inherits the worker's sandbox (namespaces,
rlimits, environment) and is waited for.

Why a kernel-only load: the child executes the candidate's top-level statements one by one and
skips `import torch` (2-3 s of the check's time on a small machine); statements that then fail
(the ModelNew class, torch-derived constants) are skipped. A kernel whose compilation misses a
name that way is compiled again after a full load of the file.

The specialization (argument types, 16-byte alignment, integers equal to 1 or divisible by 16,
constexpr values) is rebuilt with Triton's own binder for the target backend, so each kernel is
compiled the way the JIT would compile it on that GPU for the same call.
"""
from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

MAX_SPECS = 4          # distinct specializations kept per kernel
CAPTURE_LAUNCHES = 8   # launches per kernel and call that are described (later ones only counted)
_OPTIONS = ("num_warps", "num_stages", "num_ctas", "maxnreg", "enable_fp_fusion", "launch_pdl")
_SIGS: dict = {}


class Unreproducible(Exception):
    """An argument whose value cannot be rebuilt for compilation (e.g. a tensor descriptor)."""


def _is_constexpr(param) -> bool:
    ann = param.annotation
    return "constexpr" in (ann if isinstance(ann, str) else getattr(ann, "__name__", ""))


def _describe(value, constexpr: bool):
    """A JSON description that keeps exactly what specialization depends on."""
    import torch
    import triton.language as tl
    if hasattr(value, "value") and type(value).__name__ == "constexpr":
        value = value.value
    if isinstance(value, torch.Tensor):
        return {"t": "tensor", "dtype": str(value.dtype).replace("torch.", ""), "aligned": value.data_ptr() % 16 == 0}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return {"t": "v", "v": value}
    if isinstance(value, int):
        if constexpr:
            return {"t": "v", "v": value}
        # Only the specialization class matters for code generation (1, multiple of 16, 64-bit).
        wide = not -(2 ** 31) <= value < 2 ** 31
        rep = 1 if value == 1 else (16 if value % 16 == 0 else 17)
        return {"t": "v", "v": rep + (2 ** 40 if wide else 0)}
    if isinstance(value, float):
        return {"t": "v", "v": value if constexpr else 1.5}
    if isinstance(value, tl.dtype):
        return {"t": "tl_dtype", "v": str(value)}
    if isinstance(value, (tuple, list)):
        return {"t": "tuple", "items": [_describe(v, constexpr) for v in value]}
    return {"t": "other", "type": f"{type(value).__module__}.{type(value).__qualname__}"}


def describe_launch(fn, args, kwargs) -> dict:
    """What one launch passed, keyed by parameter name; options (num_warps, ...) apart."""
    sig = _SIGS.get(fn)
    if sig is None:
        sig = _SIGS[fn] = inspect.signature(fn)
    params = list(sig.parameters.values())
    desc, opts = {}, {}
    for p, a in zip(params, args):
        desc[p.name] = _describe(a, _is_constexpr(p))
    names = {p.name: p for p in params}
    for k, v in kwargs.items():
        if k in names:
            desc[k] = _describe(v, _is_constexpr(names[k]))
        elif k in _OPTIONS and isinstance(v, (int, float, bool)):
            opts[k] = v
    return {"args": desc, "options": opts}


def note_launch(rec: dict, fn, args, kwargs) -> None:
    """Add this launch's description to a kernel's record, if it is a new specialization."""
    if rec["launches"] > CAPTURE_LAUNCHES or len(rec.setdefault("specs", [])) >= MAX_SPECS:
        return
    try:
        d = describe_launch(fn, args, kwargs)
    except Exception as e:  # noqa: BLE001 - a description failure must never break the call
        d = {"error": f"{type(e).__name__}: {e}"[:200]}
    key = json.dumps(d, sort_keys=True)
    if all(json.dumps(s, sort_keys=True) != key for s in rec["specs"]):
        rec["specs"].append(d)


# ----------------------------------------------------------------------------- compiling

class _Dtype:
    """Stands in for a torch dtype: Triton's binder only reads its name."""

    def __init__(self, name: str):
        self.name = name

    def __str__(self):
        return f"torch.{self.name}"

    __repr__ = __str__


class _Tensor:
    """Stands in for a tensor argument (the child never imports torch): dtype and alignment."""

    def __init__(self, dtype: str, aligned: bool):
        self.dtype = _Dtype(dtype)
        self._ptr = 0 if aligned else 8

    def data_ptr(self) -> int:
        return self._ptr


def _rebuild(d):
    import triton.language as tl
    t = d.get("t")
    if t == "tensor":
        return _Tensor(d["dtype"], d["aligned"])
    if t == "v":
        return d["v"]
    if t == "tl_dtype":
        return tl.dtype(d["v"])
    if t == "tuple":
        return tuple(_rebuild(x) for x in d["items"])
    raise Unreproducible(f"an argument of type {d.get('type', '?')} cannot be rebuilt without a GPU")


def _load(path: str, kernels_only: bool):
    """Execute the candidate file as a module; with `kernels_only`, statement by statement,
    without torch, skipping what fails (see the module docstring)."""
    import ast
    import sys
    import types
    name = f"kopt_xcompile_{abs(hash(path))}_{int(kernels_only)}"
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module  # dataclasses and Triton's source lookups find the module here
    source = open(path).read()
    if not kernels_only:
        exec(compile(source, path, "exec"), module.__dict__)
        return module
    for stmt in ast.parse(source).body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in stmt.names] if isinstance(stmt, ast.Import) else [stmt.module or ""]
            if any(n == "torch" or n.startswith("torch.") for n in names):
                continue
        try:
            exec(compile(ast.Module(body=[stmt], type_ignores=[]), path, "exec"), module.__dict__)
        except Exception:  # noqa: BLE001 - e.g. `class ModelNew(nn.Module)` without torch
            continue
    return module


def _find_kernel(module, name: str, qualname: str):
    """The JITFunction for a launched kernel: at module level or one class down, unwrapping
    @triton.autotune / @triton.heuristics (they keep the wrapped kernel in `.fn`)."""
    from triton.runtime.jit import JITFunction

    def unwrap(obj):
        for _ in range(8):
            if isinstance(obj, JITFunction):
                return obj
            obj = getattr(obj, "fn", None)
            if obj is None:
                return None
        return None

    places = [vars(module)] + [vars(v) for v in vars(module).values() if isinstance(v, type)]
    for ns in places:
        for v in list(ns.values()):
            k = unwrap(v)
            if k is not None and k.fn.__name__ == name and k.fn.__qualname__ == qualname:
                return k
    return None


def _tool(name: str) -> str | None:
    import triton
    path = os.path.join(os.path.dirname(triton.__file__), "backends", "nvidia", "bin", name)
    return path if os.path.exists(path) else shutil.which(name)


_USAGE = re.compile(r"REG:(\d+)\s+STACK:(\d+)\s+SHARED:(\d+)\s+LOCAL:(\d+)")


def resource_usage(cubin: bytes) -> dict:
    """Registers, stack (spills), static shared and local memory from `cuobjdump --dump-resource-usage`."""
    tool = _tool("cuobjdump")
    if tool is None:
        return {"note": "cuobjdump not found: no register count"}
    with tempfile.NamedTemporaryFile(suffix=".cubin") as f:
        f.write(cubin)
        f.flush()
        out = subprocess.run([tool, "--dump-resource-usage", f.name], capture_output=True, text=True, timeout=60)
    m = _USAGE.search(out.stdout)
    if not m:
        return {"note": f"cuobjdump gave no resource line: {(out.stderr or out.stdout)[-200:]}"}
    reg, stack, shared, local = (int(x) for x in m.groups())
    return {"registers": reg, "stack_bytes": stack, "static_shared_bytes": shared, "local_bytes": local}


def tensor_core_ops(ptx: str) -> str | None:
    """Which tensor-core instruction family the PTX uses: tcgen05 (sm_100), wgmma (sm_90), mma.sync."""
    for needle, label in (("tcgen05.mma", "tcgen05.mma"), ("wgmma.mma_async", "wgmma"), ("mma.sync", "mma.sync")):
        if needle in ptx:
            return label
    return None


def _prepare(kernel, item: dict, cc: int):
    """Triton's own binder and argument packing for the target: (target, ASTSource, options)."""
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource
    from triton.compiler.compiler import make_backend
    from triton.runtime.jit import create_function_from_signature

    target = GPUTarget("cuda", cc, 32)
    backend = make_backend(target)
    kwargs = {**{k: _rebuild(v) for k, v in item["args"].items()}, **item.get("options", {})}
    binder = create_function_from_signature(kernel.signature, kernel.params, backend)
    bound, specialization, options = binder(**kwargs)
    opts, signature, constexprs, attrs = kernel._pack_args(backend, kwargs, bound, specialization, options)
    return target, ASTSource(kernel, signature, constexprs, attrs), opts.__dict__


def _compile_one(kernel, item: dict, cc: int) -> dict:
    import triton
    try:
        target, src, opts = _prepare(kernel, item, cc)
    except Unreproducible as e:
        return {"status": "skipped", "error": str(e)}
    except Exception as e:  # noqa: BLE001 - our rebuilding of the call failed, not the compiler
        return {"status": "skipped", "error": f"the call could not be rebuilt for compilation: "
                                              f"{type(e).__name__}: {str(e)[:300]}"}
    t = time.monotonic()
    try:
        compiled = triton.compile(src, target=target, options=opts)
    except BaseException as e:  # noqa: BLE001 - what the GPU compiler says is the verdict
        return {"status": "compile_error", "error": f"{type(e).__name__}: {str(e).strip()}"[-1500:],
                "compile_s": round(time.monotonic() - t, 3)}
    md = compiled.metadata
    return {"status": "ok", "compile_s": round(time.monotonic() - t, 3), "num_warps": md.num_warps,
            "num_stages": getattr(md, "num_stages", None), "shared_bytes": md.shared,
            "tensor_cores": tensor_core_ops(compiled.asm.get("ptx", "")), **resource_usage(compiled.asm["cubin"])}


def _compile_all(request: dict) -> list[dict]:
    modules: dict[bool, object] = {}

    def module(kernels_only: bool):
        if kernels_only not in modules:
            modules[kernels_only] = _load(request["path"], kernels_only)
        return modules[kernels_only]

    results = []
    for it in request["items"]:
        res = {"key": it["key"]}
        if "error" in it:
            res.update(status="skipped", error=f"its launch could not be described: {it['error']}")
            results.append(res)
            continue
        out = None
        for kernels_only in (True, False):
            try:
                kernel = _find_kernel(module(kernels_only), it["name"], it.get("qualname", it["name"]))
            except BaseException as e:  # noqa: BLE001 - the full load runs all of the candidate's file
                out = {"status": "skipped", "error": f"loading the candidate without the interpreter failed: "
                                                     f"{type(e).__name__}: {str(e)[:300]}"}
                continue
            if kernel is None:
                out = {"status": "skipped", "error": "the kernel is not defined at module level (or one class "
                                                     "down), so it cannot be found again for compilation"}
                continue
            out = _compile_one(kernel, it, request["cc"])
            missing_name = out["status"] == "compile_error" and "is not defined" in out.get("error", "")
            if out["status"] == "ok" or not missing_name:
                break
        res.update(out)
        results.append(res)
    return results


def op_xcompile(state, h, payload):
    """In the candidate worker: compile in a child process without the interpreter (see above)."""
    import sys
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    with tempfile.TemporaryDirectory() as d:
        req, out = os.path.join(d, "request.json"), os.path.join(d, "result.json")
        with open(req, "w") as f:
            json.dump({"path": h["path"], "cc": h["cc"], "items": h["items"]}, f)
        budget = max(1.0, float(h.get("budget_s", 600)))
        try:
            # -I as the worker itself runs: no user site, no current directory on sys.path.
            p = subprocess.run([sys.executable, "-I", "-m", "kopt.sandbox.compile_kernels", req, out], env=env,
                               capture_output=True, text=True, timeout=budget)
        except subprocess.TimeoutExpired:
            return {"op": "error", "kind": "timeout", "message": f"cross-compiling took more than {budget:.0f} s"}, b""
        try:
            with open(out) as f:
                results = json.load(f)
        except (OSError, ValueError):
            tail = (p.stderr or p.stdout or "")[-1500:]
            return {"op": "error", "kind": "runtime_error",
                    "message": f"the cross-compiler process failed (exit {p.returncode}): {tail}"}, b""
    return {"ok": True, "results": results}, b""


def main(argv: list[str]) -> int:
    with open(argv[0]) as f:
        request = json.load(f)
    results = _compile_all(request)
    with open(argv[1], "w") as f:
        json.dump(results, f)
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))

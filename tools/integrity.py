"""Integrity checks on a candidate: a static scan of its source and a runtime tamper catalog.

The static scan runs in the judge before any candidate code exists. A Triton kernel needs torch,
triton and a little arithmetic; it has no use for the OS, the interpreter's internals or for
rebinding library functions. Each of those is how a published cheat worked (patched timers,
patched comparisons, frame walking to rewrite the checker's locals), so each is a finding and a
finding means `rejected`. The scan is a filter, not the proof: the judge still never lets the
candidate's process near the comparison, and times it on its own clock.

The runtime catalog is checked inside the worker after import and after every call: if any of
the functions the judge relies on is no longer the same object, the candidate replaced it.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

ALLOWED_IMPORTS = {
    "torch", "triton", "math", "typing", "typing_extensions", "functools", "itertools", "operator",
    "collections", "dataclasses", "enum", "abc", "numbers", "__future__", "numpy", "einops",
}
# Modules that give a way around the judge (imports), and the attribute names that reach them
# or the interpreter's internals (e.g. `torch.os`, `sys._getframe`).
FORBIDDEN_NAMES = {
    "os", "sys", "subprocess", "ctypes", "cffi", "gc", "inspect", "builtins", "importlib", "threading",
    "_thread", "multiprocessing", "concurrent", "asyncio", "signal", "socket", "time", "pickle",
    "marshal", "shutil", "pathlib", "io", "tempfile", "mmap", "resource", "traceback", "weakref",
    "code", "codeop", "runpy", "atexit", "faulthandler", "pty", "select", "_C", "hub", "distributed",
    "_getframe", "settrace", "setprofile", "addaudithook", "f_back", "f_locals", "f_globals",
    "f_builtins", "gi_frame", "cr_frame", "tb_frame", "modules", "pydoc", "urllib", "http", "requests",
}
# Names that are modules but also ordinary tensor/module methods (`x.select`, `self.modules()`);
# the modules themselves are still forbidden as imports.
ORDINARY_ATTRS = {"select", "modules", "io", "code", "time"}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "globals", "locals", "vars", "open",
                   "breakpoint", "input", "exit", "quit", "delattr"}
ALLOWED_DUNDERS = {"__init__", "__name__", "__doc__", "__call__", "__future__", "__file__"}
# Writing these torch attributes only changes numerics flags (the tolerance check still applies).
FLAG_PREFIXES = ("torch.backends.",)


@dataclass(frozen=True)
class Finding:
    code: str      # machine-readable kind, e.g. "forbidden_import"
    message: str   # one sentence for people
    line: int = 0

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "line": self.line}


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def scan_source(source: str) -> list[Finding]:
    """Static findings for a candidate's source; an empty list means nothing suspicious."""
    tree = ast.parse(source)
    findings: list[Finding] = []
    module_names: dict[str, str] = {}  # local alias -> module path, e.g. tl -> triton.language

    def add(code, msg, node):
        findings.append(Finding(code, msg, getattr(node, "lineno", 0)))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                top = a.name.split(".")[0]
                if top not in ALLOWED_IMPORTS or set(a.name.split(".")) & FORBIDDEN_NAMES:
                    add("forbidden_import", f"imports `{a.name}`, which a kernel has no use for "
                        f"(allowed: {', '.join(sorted(ALLOWED_IMPORTS - {'__future__'}))})", node)
                module_names[(a.asname or a.name).split(".")[0]] = a.asname and a.name or top
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            top = mod.split(".")[0]
            if node.level or top not in ALLOWED_IMPORTS or set(mod.split(".")) & FORBIDDEN_NAMES:
                add("forbidden_import", f"imports from `{'.' * node.level}{mod}`, which a kernel has no use for", node)
            for a in node.names:
                if a.name in FORBIDDEN_NAMES or a.name in FORBIDDEN_CALLS:
                    add("forbidden_import", f"imports `{a.name}` from `{mod}`", node)
                module_names[a.asname or a.name] = f"{mod}.{a.name}"
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("__") and node.attr.endswith("__") and node.attr not in ALLOWED_DUNDERS:
                add("introspection", f"reaches into `{node.attr}`, a way around the judge", node)
            elif node.attr in FORBIDDEN_NAMES and node.attr not in ORDINARY_ATTRS:
                add("forbidden_attribute", f"uses `{_dotted(node) or node.attr}`, which reaches "
                    f"`{node.attr}`", node)
        elif isinstance(node, ast.Name):
            if node.id in FORBIDDEN_CALLS:
                add("dynamic_code", f"uses `{node.id}`, which can run or rewrite code at run time", node)
            elif node.id.startswith("__") and node.id not in ALLOWED_DUNDERS:
                add("introspection", f"uses `{node.id}`", node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "setattr" and node.args and not _is_self(node.args[0]):
                add("patching", "calls setattr on something other than self", node)
            if node.func.id in ("getattr", "hasattr") and len(node.args) >= 2:
                name = node.args[1]
                if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                    add("dynamic_code", f"calls {node.func.id} with a computed name", node)
                elif name.value.startswith("__") and name.value not in ALLOWED_DUNDERS:
                    add("introspection", f"reaches into `{name.value}` through getattr", node)
                elif name.value in FORBIDDEN_NAMES and name.value not in ORDINARY_ATTRS:
                    add("forbidden_attribute", f"reaches `{name.value}` through getattr", node)
        targets = _binding_targets(node)
        if targets:
            for t in _flatten(targets):
                if isinstance(t, (ast.Attribute, ast.Subscript)):
                    root = _root(t)
                    name = _dotted(t) if isinstance(t, ast.Attribute) else None
                    if isinstance(root, ast.Name) and root.id in module_names:
                        full = module_names[root.id] + (name[len(root.id):] if name else "[...]")
                        if not full.startswith(FLAG_PREFIXES):
                            add("patching", f"assigns to `{full}`, replacing library code", node)
    return findings


def _binding_targets(node: ast.AST) -> list:
    """Every place a statement binds a name or attribute (assignments, loops, with, comprehensions)."""
    if isinstance(node, (ast.Assign, ast.Delete)):
        return node.targets
    if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.comprehension)):
        return [node.target]
    if isinstance(node, ast.withitem) and node.optional_vars is not None:
        return [node.optional_vars]
    return []


def _is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id in ("self", "ctx")


def _flatten(targets):
    for t in targets:
        if isinstance(t, (ast.Tuple, ast.List)):
            yield from _flatten(t.elts)
        else:
            yield t


# ----------------------------------------------------------------------------- runtime catalog

# (module, attribute path) of every function whose identity the judge depends on.
CATALOG = (
    ("torch", "allclose"), ("torch", "isclose"), ("torch", "equal"), ("torch", "isfinite"),
    ("torch", "isnan"), ("torch", "abs"), ("torch", "sub"), ("torch", "empty"), ("torch", "empty_like"),
    ("torch", "zeros"), ("torch", "manual_seed"), ("torch", "frombuffer"), ("torch", "Tensor"),
    ("torch", "Tensor.__eq__"), ("torch", "Tensor.__sub__"), ("torch", "Tensor.copy_"),
    ("torch", "Tensor.clone"), ("torch", "Tensor.data_ptr"), ("torch", "Tensor.contiguous"),
    ("torch", "Tensor.cpu"), ("torch", "Tensor.numpy"), ("torch", "Tensor.view"),
    ("torch", "Tensor.detach"), ("torch", "Tensor.__torch_function__"), ("torch.testing", "assert_close"),
    ("torch.cuda", "synchronize"), ("torch.cuda", "Event"), ("torch.cuda", "Event.record"),
    ("torch.cuda", "Event.elapsed_time"), ("torch.cuda", "Event.synchronize"),
    ("torch.cuda", "current_stream"), ("torch.nn", "Module.__call__"), ("torch.nn", "Module._call_impl"),
    ("time", "perf_counter"), ("time", "perf_counter_ns"), ("time", "monotonic"), ("time", "time"),
    ("time", "process_time"), ("builtins", "isinstance"), ("builtins", "type"), ("builtins", "len"),
    ("builtins", "float"), ("builtins", "print"), ("json", "dumps"), ("os", "write"), ("os", "read"),
    ("triton", "jit"), ("triton.testing", "do_bench"), ("threading", "enumerate"),
    ("kopt.sandbox.protocol", "send_frame"), ("kopt.sandbox.protocol", "encode"),
    ("kopt.sandbox.protocol", "recv_frame"), ("kopt.tools.timing", "time_trials"),
)


def _resolve(module: str, path: str):
    import importlib
    try:
        obj = importlib.import_module(module)
    except Exception:
        return None
    for part in path.split("."):
        # Class attributes are read from the class dict: a classmethod looked up with getattr
        # is a new bound object every time, which would look like tampering.
        if isinstance(obj, type) and part in vars(obj):
            obj = vars(obj)[part]
        else:
            obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


class TamperWatch:
    """Remembers the catalog's objects; `changed()` names every entry that is no longer the same."""

    def __init__(self):
        import sys
        self._objs = {f"{m}.{a}": _resolve(m, a) for m, a in CATALOG}
        self._modules = {m: sys.modules.get(m) for m, _ in CATALOG}

    def changed(self) -> list[str]:
        import sys
        out = [k for k, (m, a) in zip(self._objs, CATALOG)
               if self._objs[k] is not None and _resolve(m, a) is not self._objs[k]]
        out += [f"sys.modules[{m!r}]" for m, mod in self._modules.items()
                if mod is not None and sys.modules.get(m) is not mod]
        return out

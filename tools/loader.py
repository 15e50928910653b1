"""Loading KernelBench-format problems and candidates, with errors a person can act on.

A problem file defines `class Model(nn.Module)`, `get_inputs()` and `get_init_inputs()`; a
candidate defines `class ModelNew(nn.Module)` with the same constructor and forward signatures.

Static checks (`inspect_file`) need no torch and run in the judge; executing a file
(`exec_module`) happens only inside a worker process.

CPU sizes are decided in one place, kopt.tools.sizing (and applied by kopt.tools.judged).
"""
from __future__ import annotations

import ast
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path


class LoadError(Exception):
    """A problem or candidate file cannot be used; the message is one readable paragraph."""


@dataclass
class FileInfo:
    path: Path
    source: str
    tree: ast.Module
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    functions: set[str] = field(default_factory=set)
    cpu_sizes: dict | None = None

    def method_params(self, cls: str, method: str) -> list[str] | None:
        """Parameter names (without self) of a method, '*args'/'**kw' spelled out; None if the
        class does not define it itself (inherited or absent)."""
        node = self.classes.get(cls)
        if node is None:
            return None
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == method:
                a = item.args
                names = [p.arg for p in a.posonlyargs + a.args][1:]
                if a.vararg:
                    names.append("*" + a.vararg.arg)
                names += [p.arg for p in a.kwonlyargs]
                if a.kwarg:
                    names.append("**" + a.kwarg.arg)
                return names
        return None


def inspect_file(path: str | Path, kind: str) -> FileInfo:
    """Read and parse a problem (kind='problem') or candidate (kind='candidate') without running it."""
    p = Path(path)
    what = "problem" if kind == "problem" else "candidate"
    if not p.exists():
        raise LoadError(f"The {what} file {p} does not exist.")
    if not p.is_file():
        raise LoadError(f"The {what} path {p} is not a file.")
    try:
        source = p.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise LoadError(f"The {what} file {p} cannot be read: {e}.") from None
    try:
        tree = ast.parse(source, filename=str(p))
    except SyntaxError as e:
        raise LoadError(
            f"The {what} file {p} is not valid Python: {e.msg} at line {e.lineno}"
            + (f", column {e.offset}" if e.offset else "")
            + (f": `{e.text.strip()}`" if e.text else "") + ".") from None
    info = FileInfo(p, source, tree)
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            info.classes[node.name] = node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            info.functions.add(node.name)
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "CPU_SIZES" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                value = None
            if not (isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, int)
                                                    for k, v in value.items())):
                raise LoadError(f"CPU_SIZES in {p} must be a literal dict of name -> int.")
            info.cpu_sizes = value
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            pass
    if kind == "problem":
        missing = [n for n, ok in (("class Model", "Model" in info.classes),
                                   ("get_inputs()", "get_inputs" in info.functions),
                                   ("get_init_inputs()", "get_init_inputs" in info.functions)) if not ok]
        if missing:
            raise LoadError(
                f"The problem file {p} does not define {', '.join(missing)}. A KernelBench problem "
                "defines `class Model(nn.Module)`, `get_inputs()` returning the forward inputs and "
                "`get_init_inputs()` returning the constructor arguments.")
    elif "ModelNew" not in info.classes:
        raise LoadError(
            f"The candidate file {p} does not define `class ModelNew(nn.Module)` at top level"
            + (f" (it defines: {', '.join(sorted(info.classes))})" if info.classes else "") + ".")
    return info


def check_signatures(problem: FileInfo, candidate: FileInfo) -> None:
    """ModelNew must be constructible and callable exactly like Model."""
    if candidate.method_params("ModelNew", "forward") is None and not candidate.classes["ModelNew"].bases:
        raise LoadError(f"ModelNew in {candidate.path} has no forward method.")
    for method, what in (("__init__", "constructor"), ("forward", "forward")):
        ref = problem.method_params("Model", method)
        new = candidate.method_params("ModelNew", method)
        if ref is None or new is None:
            continue  # inherited: checked when the worker constructs and calls it
        flexible = any(n.startswith("*") for n in new)
        if not flexible and len(_positional(ref)) != len(_positional(new)):
            raise LoadError(
                f"The {what} signature of ModelNew ({', '.join(new) or 'no arguments'}) does not "
                f"match Model's ({', '.join(ref) or 'no arguments'}); the judge calls both the same way.")


def _positional(names: list[str]) -> list[str]:
    return [n for n in names if not n.startswith("*")]


# ----------------------------------------------------------------------------- executing (workers only)

_counter = [0]
_ours: set = set()


def exec_module(path: str | Path, source: str | None = None):
    """Execute a file as a fresh module (never through sys.path); returns the module. It is named
    by its file's stem, as `import stem` would name it: a name that gives the judge away (the
    tool's own, a marker) would let a candidate behave only when it sees it."""
    p = Path(path)
    _counter[0] += 1
    name = re.sub(r"\W", "_", p.stem) or "module"
    if name in sys.modules and name not in _ours:  # never shadow a real module (a file named torch.py)
        name = f"{name}_{_counter[0]}"
    _ours.add(name)
    spec = importlib.util.spec_from_file_location(name, p)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling of classes look themselves up here
    code = compile(source if source is not None else p.read_text(), str(p), "exec")
    exec(code, module.__dict__)
    return module


def jit_kernels(tree: ast.Module) -> list[str]:
    """Top-level functions decorated as Triton kernels (`@triton.jit`, `@jit`, with autotune or
    heuristics on top) that no other such function calls: the ones a forward launches. A helper
    called from inside a kernel is compiled into it, never launched on its own."""
    def is_jit(fn) -> bool:
        for d in fn.decorator_list:
            d = d.func if isinstance(d, ast.Call) else d
            name = d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", "")
            if name in ("jit", "autotune", "heuristics"):
                return True
        return False
    fns = [n for n in tree.body if isinstance(n, ast.FunctionDef) and is_jit(n)]
    called = {c.func.id for f in fns for c in ast.walk(f)
              if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
    return [f.name for f in fns if f.name not in called]

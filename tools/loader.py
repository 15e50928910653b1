"""Loading KernelBench-format problems and candidates, with errors a person can act on.

A problem file defines `class Model(nn.Module)`, `get_inputs()` and `get_init_inputs()`; a
candidate defines `class ModelNew(nn.Module)` with the same constructor and forward signatures.

Static checks (`inspect_file`) need no torch and run in the judge; executing a file
(`exec_module`) happens only inside a worker process.

CPU-sized inputs. Public problems use GPU sizes far too big for the Triton interpreter. A problem
may say how to shrink itself, and stay a valid KernelBench file, with a top-level dict:

    batch_size = 4096          # sizes live in one place at the top
    dim = 393216
    CPU_SIZES = {"batch_size": 16, "dim": 1000}

In CPU mode the loader rewrites those top-level assignments before executing the file. A problem
without CPU_SIZES whose inputs are large (counted on the meta device, nothing allocated) gets a
generic fallback: every top-level integer constant above AUTO_CAP is rewritten to AUTO_CAP; if the
shrunken problem no longer runs, the original sizes are used.
"""
from __future__ import annotations

import ast
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

AUTO_CAP = 64
# Above this many input elements a problem without CPU_SIZES is auto-shrunk on CPU.
BIG_INPUT_NUMEL = 4_000_000


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


# ----------------------------------------------------------------------------- shrinking

def _int_value(node: ast.expr) -> int | None:
    """Value of an integer constant expression such as `128 * 4`, else None."""
    try:
        code = compile(ast.Expression(node), "<size>", "eval")
    except (TypeError, ValueError):
        return None
    if any(not isinstance(n, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.operator,
                              ast.unaryop)) for n in ast.walk(ast.Expression(node))):
        return None
    try:
        value = eval(code, {"__builtins__": {}})  # only arithmetic on literals reaches here
    except Exception:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def shrink_source(source: str, overrides: dict[str, int] | None, cap: int = AUTO_CAP) -> tuple[str, dict]:
    """Rewrite top-level size constants: the named ones to their override, or all ints above `cap`."""
    tree = ast.parse(source)
    changed: dict[str, tuple[int, int]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            continue
        name = node.targets[0].id
        value = _int_value(node.value)
        if value is None:
            continue
        if overrides is not None:
            if name in overrides:
                new = overrides[name]
            else:
                continue
        elif value > cap:
            new = cap
        else:
            continue
        node.value = ast.copy_location(ast.Constant(new), node.value)
        changed[name] = (value, new)
    return ast.unparse(tree), changed


# ----------------------------------------------------------------------------- executing (workers only)

_counter = [0]


def exec_module(path: str | Path, source: str | None = None):
    """Execute a file as a fresh module (never through sys.path); returns the module."""
    p = Path(path)
    _counter[0] += 1
    name = f"kopt_loaded_{p.stem.replace('-', '_')}_{_counter[0]}"
    spec = importlib.util.spec_from_file_location(name, p)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling of classes look themselves up here
    code = compile(source if source is not None else p.read_text(), str(p), "exec")
    exec(code, module.__dict__)
    return module


def constants_product(source: str) -> int:
    """Product of the top-level integer constants: a cheap bound on input size for most problems."""
    prod = 1
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            v = _int_value(node.value)
            if v is not None and v > 1:
                prod *= v
    return prod


def count_input_numel(module) -> int:
    """How many elements get_inputs() would create, measured on the meta device (no memory used)."""
    import torch
    prev = torch.get_default_device() if hasattr(torch, "get_default_device") else None
    try:
        torch.set_default_device("meta")
        inputs = module.get_inputs()
        return sum(t.numel() for t in inputs if isinstance(t, torch.Tensor))
    except Exception:
        return 0  # cannot tell: do not shrink
    finally:
        torch.set_default_device(prev)

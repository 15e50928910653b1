"""Assemble a self-contained candidate file: the problem's Model (for its constructor and
parameters), the generated kernels, and `ModelNew(Model)` whose forward launches them.

Sizes and scalar arguments in the forward are the run-time expressions of generic.py. The file is
generated once per traced configuration and the texts compared (comments aside): a difference
means some decision (fusion, dim collapsing, a kernel form) depends on the sizes, and the file is
then specialised to the judged configuration with a guard (guards.py), as it is when a size or
constant has no run-time expression.
"""
from __future__ import annotations

import ast
import math
import re

from kopt.agent.fusion.common import KernelOut, Variant, indent, runtime_const
from kopt.agent.fusion.groups import Group, Options, partition, schedule
from kopt.agent.fusion.guards import PLAIN_HELPER, docstring_lines, init_override, prologue
from kopt.agent.fusion.ir import Graph, NotGeneric, is_ref, py_path
from kopt.agent.fusion.kernel_mm import HELPERS as MM_HELPERS, matmul
from kopt.agent.fusion.kernel_pointwise import pointwise
from kopt.agent.fusion.kernel_pointwise import shape_tuple
from kopt.agent.fusion.kernel_rows import rows
from kopt.agent.fusion.layout import HELPERS as AXES_HELPERS
from kopt.agent.fusion.texpr import TORCH_DTYPE

DROP = {"get_inputs", "get_init_inputs", "CPU_SIZES"}


def problem_body(source: str) -> str:
    """The problem file minus its docstring, input factories and CPU sizes: Model and what it needs."""
    tree = ast.parse(source)
    keep = []
    for i, node in enumerate(tree.body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant):
            continue
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in DROP:
            continue
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in DROP for t in node.targets):
            continue
        keep.append(node)
    lines = source.splitlines()
    out = []
    for node in keep:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        out.append("\n".join(lines[start - 1:node.end_lineno]))
    return "\n".join(out)


def _ident(text: str) -> str:
    return re.sub(r"\W", "_", text).strip("_") or "t"


def _names(g: Graph) -> tuple[dict, dict]:
    names, kname = {}, {}
    for r in g.order:
        n = g[r]
        if n["op"] == "input":
            names[r] = kname[r] = n["name"]
        elif n["op"] in ("param", "buffer"):
            names[r] = "self." + py_path(n["name"])
            kname[r] = _ident(n["name"])
        else:
            names[r] = kname[r] = f"t{r[1:]}"
    first = next((g[r]["name"] for r in g.inputs if g[r]["op"] == "input"), None)
    names["__device__"] = f"{first}.device" if first else "next(self.parameters()).device"
    return names, kname


def _const(g: Graph, a, names: dict) -> str:
    if is_ref(a):
        return names[a]
    if isinstance(a, list):
        return "[" + ", ".join(_const(g, x, names) for x in a) + "]"
    if isinstance(a, dict):
        if "dtype" in a:
            return TORCH_DTYPE.get(a["dtype"], f"torch.{a['dtype']}")
        if "device" in a:
            return names["__device__"]
        if "memory_format" in a:
            return f"torch.{a['memory_format']}"
        if "layout" in a:
            return f"torch.{a['layout']}"
        expr, value = runtime_const(g, a)
        return expr if expr is not None else _py(value)
    return _py(a)


def _py(v) -> str:
    """A constant as Python source: float("-inf"), not the bare -inf that repr gives."""
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
        return f'float("{v}")'
    return repr(v)


def _view_line(g: Graph, ref: str, names: dict) -> str:
    n = g[ref]
    x = names[g.operands(ref)[0]]
    call, p = n.get("call"), n.get("params", [])
    if call == "reshape":  # every reshaping view: to the node's own shape, computed at run time
        return f"{names[ref]} = {x}.reshape({shape_tuple(g.sym(ref))})"
    if call == "slice":
        dim, start, end, step = (list(p) + [0, None, None, 1][len(p):])[:4]
        end = "" if end is None or (isinstance(end, int) and end >= 2 ** 62) else _const(g, end, names)
        start = "" if not start else _const(g, start, names)
        step = "" if step == 1 else ":" + _const(g, step, names)
        index = ", ".join([":"] * dim + [f"{start}:{end}{step}"])
        return f"{names[ref]} = {x}[{index}]"
    args = ", ".join(_const(g, a, names) for a in p)
    return f"{names[ref]} = {x}.{call}({args})"


def _torch_line(g: Graph, ref: str, names: dict) -> str:
    n = g[ref]
    if n["op"] == "getitem":
        return f"{names[ref]} = {names[n['args'][0]]}[{n['args'][1]}]"
    args = [_const(g, a, names) for a in n["args"]]
    args += [f"{k}={_const(g, v, names)}" for k, v in n.get("kwargs", {}).items()]
    return f"{names[ref]} = torch.ops.{n['target']}({', '.join(args)})  # kept in PyTorch"


GENERATORS = {"pointwise": pointwise, "rows": rows, "mm": matmul}


def generate(g: Graph, problem_name: str, problem_source: str, var: Variant, device: str) -> tuple[str, list[KernelOut]]:
    """The candidate file's source, and the kernels it contains: generic when the traces allow it,
    else specialised to the judged configuration behind a guard (see the module docstring)."""
    try:
        text, kernels = _generate(g, problem_name, problem_source, var, device)
        why = _differs(g, text, problem_name, problem_source, var, device)
        if not g.alternates:
            notes = "; ".join(g.generic.get("extra_notes") or []) or "no other configuration was tried"
            why = f"no other configuration could be traced ({notes[:300]})"
    except NotGeneric as e:
        why = str(e)
    if not why:
        return text, kernels
    g.pinned = why
    try:
        return _generate(g, problem_name, problem_source, var, device)
    finally:
        g.pinned = None


def _normalized(text: str) -> list[str]:
    """The code without its docstring and comments: what must not change with the sizes."""
    code = text[text.index("import math"):]
    out = []
    for line in code.splitlines():
        line = re.sub(r"\s+# .*$", "", line)
        if line.strip() and not line.strip().startswith("#"):
            out.append(line)
    return out


def _differs(g: Graph, text: str, *args) -> str | None:
    mine = _normalized(text)
    for alt in g.alternates:
        try:
            other = _normalized(_generate(alt, *args)[0])
        except NotGeneric as e:
            return f"at another traced configuration: {e}"
        if other != mine:
            diff = next((a for a, b in zip(mine, other) if a != b), mine[-1])
            return f"the generated code depends on the sizes (`{diff.strip()[:80]}` changes)"
    return None


def _generate(g: Graph, problem_name: str, problem_source: str, var: Variant, device: str) -> tuple[str, list[KernelOut]]:
    groups = partition(g, Options(fuse_epilogue=var.fuse_epilogue, fuse_reductions=var.fuse_reductions))
    names, kname = _names(g)
    kernels: list[KernelOut] = []
    forward: list[str] = prologue(g)
    for unit in schedule(g, groups):
        if isinstance(unit, Group):
            k = GENERATORS[unit.kind](g, unit, names, kname, var, device)
            kernels.append(k)
            forward += k.launch + [""]
        elif g[unit]["op"] == "view":
            forward.append(_view_line(g, unit, names))
        else:
            forward.append(_torch_line(g, unit, names))
    outs = [names[o] if is_ref(o) else repr(o) for o in g.outputs]
    forward.append("return " + (outs[0] if g.single_output else ", ".join(outs) + ("," if len(outs) == 1 else "")))
    args = ", ".join(["self"] + g.forward_args)
    kept = sorted({g[r]["target"] for r in g.order if g[r]["op"] == "torch"})
    doc = [f'"""{problem_name}: ModelNew generated by kopt\'s built-in fusion compiler (variant {var.label}).',
           "",
           "Kernels (each fuses the listed ops; intermediates stay in registers):"]
    doc += [f"  {k.name}: {k.summary}" for k in kernels]
    if kept:
        doc += ["Kept in PyTorch (no Triton lowering here): " + ", ".join(kept)]
    shapes = ", ".join(f"{g[r]['name']} {'x'.join(map(str, g[r]['shape']))} {g[r]['dtype']}"
                       for r in g.inputs if g[r]["op"] == "input")
    doc += [f"Traced with inputs {shapes} on {device}."] + docstring_lines(g) + ['"""']
    init = init_override(g)
    helpers = [AXES_HELPERS.strip(), MM_HELPERS.strip()] + ([PLAIN_HELPER.strip()] if init else [])
    parts = ["\n".join(doc), "import math\n\nimport torch\nimport triton\nimport triton.language as tl",
             problem_body(problem_source), "\n\n\n".join(helpers)]
    parts += [k.source for k in kernels]
    cls = ["class ModelNew(Model):",
           '    """Model\'s constructor and parameters; forward runs the kernels above."""',
           ""] + init + [
           f"    def forward({args}):"] + indent(forward, 8)
    parts.append("\n".join(cls))
    return "\n\n\n".join(p.rstrip() for p in parts) + "\n", kernels

"""Assemble a self-contained candidate file: the problem's Model (for its constructor and
parameters), the generated kernels, and `ModelNew(Model)` whose forward launches them."""
from __future__ import annotations

import ast
import re

from kopt.agent.fusion.common import KernelOut, Variant, indent
from kopt.agent.fusion.groups import Group, Options, partition, schedule
from kopt.agent.fusion.ir import Graph, is_ref
from kopt.agent.fusion.kernel_mm import HELPERS as MM_HELPERS, matmul
from kopt.agent.fusion.kernel_pointwise import pointwise
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
            names[r] = "self." + n["name"]
            kname[r] = _ident(n["name"])
        else:
            names[r] = kname[r] = f"t{r[1:]}"
    first = next((g[r]["name"] for r in g.inputs if g[r]["op"] == "input"), None)
    names["__device__"] = f"{first}.device" if first else "next(self.parameters()).device"
    return names, kname


def _const(a, names: dict) -> str:
    if is_ref(a):
        return names[a]
    if isinstance(a, list):
        return "[" + ", ".join(_const(x, names) for x in a) + "]"
    if isinstance(a, dict):
        if "dtype" in a:
            return TORCH_DTYPE.get(a["dtype"], f"torch.{a['dtype']}")
        if "device" in a:
            return names["__device__"]
        if "memory_format" in a:
            return f"torch.{a['memory_format']}"
        if "layout" in a:
            return f"torch.{a['layout']}"
    return repr(a)


def _view_line(g: Graph, ref: str, names: dict) -> str:
    n = g[ref]
    x = names[g.operands(ref)[0]]
    call, p = n.get("call"), n.get("params", [])
    if call == "reshape":
        shape = p[0]
        return f"{names[ref]} = {x}.reshape({', '.join(map(str, shape))}{',' if len(shape) == 1 else ''})" \
            if shape else f"{names[ref]} = {x}.reshape(())"
    if call == "slice":
        dim, start, end, step = (list(p) + [0, None, None, 1][len(p):])[:4]
        end = "" if end is None or end >= 2 ** 62 else end
        index = ", ".join([":"] * dim + [f"{start or ''}:{end}" + (f":{step}" if step != 1 else "")])
        return f"{names[ref]} = {x}[{index}]"
    if call == "narrow":
        return f"{names[ref]} = {x}.narrow({', '.join(map(str, p))})"
    args = ", ".join(_const(a, names) for a in p)
    return f"{names[ref]} = {x}.{call}({args})"


def _torch_line(g: Graph, ref: str, names: dict) -> str:
    n = g[ref]
    if n["op"] == "getitem":
        return f"{names[ref]} = {names[n['args'][0]]}[{n['args'][1]}]"
    args = [_const(a, names) for a in n["args"]]
    args += [f"{k}={_const(v, names)}" for k, v in n.get("kwargs", {}).items()]
    return f"{names[ref]} = torch.ops.{n['target']}({', '.join(args)})  # kept in PyTorch"


GENERATORS = {"pointwise": pointwise, "rows": rows, "mm": matmul}


def generate(g: Graph, problem_name: str, problem_source: str, var: Variant, device: str) -> tuple[str, list[KernelOut]]:
    """The candidate file's source, and the kernels it contains."""
    groups = partition(g, Options(fuse_epilogue=var.fuse_epilogue, fuse_reductions=var.fuse_reductions))
    names, kname = _names(g)
    kernels: list[KernelOut] = []
    forward: list[str] = []
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
    doc += [f"Traced with inputs {shapes} on {device}; view/reshape sizes below are those of the trace.",
            '"""']
    parts = ["\n".join(doc), "import math\n\nimport torch\nimport triton\nimport triton.language as tl",
             problem_body(problem_source), AXES_HELPERS.strip() + "\n\n" + MM_HELPERS.strip()]
    parts += [k.source for k in kernels]
    cls = ["class ModelNew(Model):",
           '    """Model\'s constructor and parameters; forward runs the kernels above."""',
           "",
           f"    def forward({args}):"] + indent(forward, 8)
    parts.append("\n".join(cls))
    return "\n\n\n".join(p.rstrip() for p in parts) + "\n", kernels

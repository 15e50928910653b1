"""What every kernel generator shares: the group's tensors, names, and elementwise lines."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kopt.agent.fusion.ir import Graph, NotGeneric, is_ref
from kopt.agent.fusion.texpr import TL_DTYPE, ew_expr, kind_of, lit, result_kind

NODE_KEYS = ("id", "op", "fn", "args", "shape", "dtype", "stride", "sym")


def par(e) -> str:
    e = str(e)
    return e if " " not in e else f"({e})"


def runtime_const(g: Graph, a):
    """(Python expression the forward evaluates, or None for a literal; the judged value) of a
    constant argument: a size or argument read at run time, a count's 1/N, or a plain number."""
    if not isinstance(a, dict):
        return None, a
    if "inv_count" in a:
        if g.pinned:
            return None, a["value"]
        sym = g.sym(a["inv_count"])
        parts = [sym[d] for d in a["dims"]] if sym else []
        if all(isinstance(p, int) for p in parts):
            n = 1
            for p in parts:
                n *= p
            return None, 1.0 / max(n - a["minus"], 1)
        prod = " * ".join(par(p) for p in parts)
        return (f"1.0 / ({prod})" if not a["minus"] else f"1.0 / max({prod} - {a['minus']}, 1)"), a["value"]
    if "expr" in a:
        return (None if g.pinned else a["expr"]), a["value"]
    if "unsolved" in a:
        if g.pinned:
            return None, a["value"]
        raise NotGeneric(a["unsolved"])
    return None, a


def is_runtime(a) -> bool:
    return isinstance(a, dict) and bool(a.keys() & {"inv_count", "expr", "unsolved"})


class Scalars:
    """Sizes and arguments a kernel takes as run-time parameters (sc0, sc1, ...) instead of literals."""

    def __init__(self):
        self.params: dict[str, tuple[str, str]] = {}   # forward expression -> (kernel name, kind)

    def name(self, expr: str, kind: str) -> str:
        if expr not in self.params:
            self.params[expr] = (f"sc{len(self.params)}", kind)
        return self.params[expr][0]

    def signature(self) -> list[str]:
        return [n for n, _ in self.params.values()]

    def launch(self) -> list[str]:
        return [f"{'float' if k == 'float' else 'int'}({e})" for e, (_, k) in self.params.items()]


@dataclass
class Variant:
    """Tunables for one candidate file; `label` names it in the run store."""
    label: str = "default"
    block: int = 1024           # pointwise elements per program
    rows_per_program: int = 0   # rows kernels: BLOCK_M (0: about 4K elements per program)
    row_cap: int = 8192         # rows kernels: whole rows in registers up to this many columns, looped beyond
    row_block: int = 4096       # rows kernels: the looped form's chunk of columns
    mm: tuple = (64, 64, 32, 8, 4, 3)   # BLOCK_M, BLOCK_N, BLOCK_K, GROUP_M, warps, stages
    warps: int = 4
    tf32: bool = True
    fuse_epilogue: bool = True
    fuse_reductions: bool = True


@dataclass
class KernelOut:
    name: str
    source: str                 # the @triton.jit function
    launch: list[str]           # lines of the forward (indented by the caller)
    summary: str                # one line for the docstring / comments


@dataclass
class Emitter:
    """Value names and expression lines inside one kernel body."""
    g: Graph
    members: list[str]
    lines: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)    # ref -> float | int | bool
    exprs: dict[str, str] = field(default_factory=dict)    # ref -> variable name in the kernel
    scalars: Scalars = field(default_factory=Scalars)

    def var(self, ref: str) -> str:
        return f"v{ref[1:]}"

    def operand(self, a, shape_of=None) -> tuple[str, str]:
        """(expression, kind) for an argument: a computed value or a constant."""
        if is_ref(a):
            e = self.exprs[a]
            return (shape_of(a, e) if shape_of else e), self.kinds[a]
        if isinstance(a, bool):
            return lit(a), "bool"
        return self.const(a)

    def const(self, a) -> tuple[str, str]:
        """A number inline, or the kernel parameter that carries a run-time size or argument."""
        expr, value = runtime_const(self.g, a)
        kind = "int" if isinstance(value, int) and not isinstance(value, bool) else "float"
        if expr is None:
            return lit(value), kind
        return self.scalars.name(expr, kind), kind

    def ew(self, ref: str, shape_of=None) -> None:  # noqa: D102
        n = self.g[ref]
        ops = [self.operand(a, shape_of) for a in n["args"]]
        params = {k: (self.const(v)[0] if is_runtime(v) else v) for k, v in n.items() if k not in NODE_KEYS}
        kinds = [k for _, k in ops]
        expr = ew_expr(n["fn"], [e for e, _ in ops], params, n["dtype"], kinds)
        self.set(ref, expr, result_kind(n["fn"], n["dtype"], kinds))

    def set(self, ref: str, expr: str, kind: str) -> None:
        v = self.var(ref)
        if re.fullmatch(r"v\d+", expr):  # a pure relabel (a copy in registers): no new variable
            v = expr
        elif expr != v:
            self.lines.append(f"{v} = {expr}")
        self.exprs[ref] = v
        self.kinds[ref] = kind


def load_expr(ptr_offset: str, mask: str, dtype: str) -> tuple[str, str]:
    k = kind_of(dtype)
    other = "0.0" if k == "float" else "0"
    e = f"tl.load({ptr_offset}, mask={mask}, other={other})"
    return (f"{e}.to(tl.float32)" if k == "float" else e), k


def store_value(expr: str, kind: str, dtype: str) -> str:
    if dtype == "bool":
        return expr if kind == "bool" else f"{expr} != 0"
    if kind == "float" and dtype == "float32":
        return expr
    return f"{expr}.to({TL_DTYPE[dtype]})"


ARITH = {"add", "sub", "mul", "div", "neg", "copy", "square", "where", "eq", "ne", "lt", "le", "gt", "ge"}


def kernel_name(g: Graph, G) -> str:
    """k<index>_<the ops that characterise it>: k0_matmul_gelu, k1_max_exp_sum, k2_sum_rsqrt."""
    fns = []
    for m in G.members:
        n = g[m]
        f = "matmul" if n["op"] == "mm" else n.get("fn")
        if f and f not in fns and (f not in ARITH or n["op"] != "ew"):
            fns.append(f)
    if not fns:
        fns = [f for f in dict.fromkeys(g[m].get("fn") for m in G.members) if f][:3] or ["copy"]
    return f"k{G.index}_" + "_".join(fns[:4])


def describe(g: Graph, members: list[str]) -> str:
    """'softmax-like: max, sub, exp, sum, div' — the ops a kernel fuses, for comments."""
    ops = []
    for m in members:
        n = g[m]
        label = n.get("fn") or n["op"]
        if n["op"] == "mm":
            label = "matmul"
        if label != "copy" and label not in ops and n["op"] != "view":
            ops.append(label)
    return ", ".join(ops) or "copy"


def indent(lines: list[str], n: int = 4) -> list[str]:
    return [(" " * n + ln) if ln else "" for ln in lines]

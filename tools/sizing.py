"""The one sizing policy: which configuration of a problem is judged, and which unseen ones are tried.

A *configuration* is the problem file with some of its size constants and scalar constructor
arguments set to other values. The judge, the FLOP counter and the built-in compiler's trace all
ask this module, so they agree on what "the judged sizes" are.

Symbols (found in the source, no code run):
  * top-level integer constants, including tuple assignments (`height, width = 256, 256`), tuple
    values (`shape = (128, 4096)`) and constant expressions (`dim = 128 * 4`): sizes;
  * integer literals inside `get_inputs()` / `get_init_inputs()` (`torch.randn(16, 1024)`), one
    symbol per distinct value, so a size written twice changes in both places: sizes;
  * top-level float constants and float literals inside `get_init_inputs()`: scalar arguments
    (a scale, a temperature, an eps).
Ints below MIN_SIZE (axes, strides, paddings) and bools are structural and stay, except a name
CPU_SIZES lists, a name that counts heads, groups or experts or is a batch (COUNT_NAME), and a
kernel or window extent (KERNEL_NAME): those are sizes whatever their value.

Rewrites are text edits at the literals' own positions, so every line number of the problem (and
of a candidate) is unchanged: error messages and Triton's source lookups still point at the file.

The judged configuration: on a GPU, the file as written. On the CPU, `CPU_SIZES` when the problem
has it; otherwise, when its tensors are large, every size above AUTO_CAP capped to AUTO_CAP
(checked by running it; the original is kept when the capped one fails). Unseen configurations
are drawn around the judged one by `propose` with the judge's unpredictable randomness and are
only used after the reference ran on them (see tools/judge_configs.py).
"""
from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field

AUTO_CAP = 64
# Above this many elements (inputs + parameters + one output, counted on the meta device) a problem
# without CPU_SIZES is capped on CPU.
BIG_NUMEL = 4_000_000
MIN_SIZE = 8
# A small top-level int is a size all the same when its name says it counts something the shapes
# are split into (heads, groups, experts) or is a batch: `num_heads = 4` must move, or a kernel
# that bakes 4 heads into a view is never seen wrong. So is a kernel or window extent
# (`kernel_size = 3`, also as a tuple element): a convolution whose tap loop is written for 3 taps is
# otherwise never seen wrong. Axes, strides, paddings and dilations (`dim`, `stride`) stay.
COUNT_NAME = re.compile(r"(^|_)(heads?|groups?|experts?|batch|batch_size|num|n)(_|$)", re.I)
KERNEL_NAME = re.compile(r"(^|_)(kernel|kernel_size|ksize|window|window_size|taps|pool_size)(_|$)", re.I)
FACTORIES = ("get_inputs", "get_init_inputs")


@dataclass
class Symbol:
    key: str                   # unique: "batch_size", "shape[1]", "literal 1024", "literal 0.5"
    label: str                 # for people: "batch_size", "shape[1]", "size 1024"
    kind: str                  # "size" (int) or "arg" (float)
    value: int | float         # as written
    spans: list = field(default_factory=list)  # (start, end) byte offsets of the literal(s)
    name: str | None = None    # top-level name a candidate's copy would use, with index for tuples
    index: int | None = None


# ----------------------------------------------------------------------------- finding symbols

def _int_value(node: ast.expr):
    """Value of an integer constant expression such as `128 * 4` (literals and arithmetic only)."""
    if any(not isinstance(n, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.operator, ast.unaryop))
           for n in ast.walk(ast.Expression(node))):
        return None
    if any(isinstance(n, ast.Constant) and type(n.value) is not int for n in ast.walk(node)):
        return None
    try:
        value = eval(compile(ast.Expression(node), "<size>", "eval"), {"__builtins__": {}})
    except Exception:  # noqa: BLE001 - 1 // 0 and friends: not a size
        return None
    return value if type(value) is int and abs(value) < 1 << 40 else None


def _float_value(node: ast.expr):
    if isinstance(node, ast.Constant) and type(node.value) is float:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) is float:
        return -node.operand.value
    return None


class _Offsets:
    """ast positions (line, UTF-8 byte column) to byte offsets of the whole source."""

    def __init__(self, source: str):
        self.data = source.encode()
        self.starts = [0]
        for i, b in enumerate(self.data):
            if b == 10:
                self.starts.append(i + 1)

    def span(self, node) -> tuple[int, int]:
        return (self.starts[node.lineno - 1] + node.col_offset, self.starts[node.end_lineno - 1] + node.end_col_offset)


def _top_level(tree: ast.Module, off: _Offsets):
    """(name, index, value node) for each top-level constant binding."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and (len(node.targets) == 1 or all(isinstance(t, ast.Name) for t in node.targets)):
            # `height = width = 128` is one literal: one symbol, named by the first target.
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None and node.simple:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            if isinstance(value, (ast.Tuple, ast.List)) and all(_int_value(e) is not None for e in value.elts):
                for i, e in enumerate(value.elts):
                    yield target.id, i, e
            else:
                yield target.id, None, value
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
            for t, e in zip(target.elts, value.elts):
                if isinstance(t, ast.Name):
                    yield t.id, None, e


def scan(source: str) -> list[Symbol]:
    """Every size and scalar argument of a problem file (see the module docstring)."""
    tree = ast.parse(source)
    off = _Offsets(source)
    out: list[Symbol] = []
    named = _cpu_sizes_names(tree)
    for name, index, node in _top_level(tree, off):
        if name == "CPU_SIZES":
            continue
        key = name if index is None else f"{name}[{index}]"
        iv, fv = _int_value(node), _float_value(node)
        if iv is not None and (iv >= MIN_SIZE or (iv > 0 and (KERNEL_NAME.search(name) or (
                index is None and (name in named or COUNT_NAME.search(name)))))):
            out.append(Symbol(key, key, "size", iv, [off.span(node)], name, index))
        elif fv is not None and fv != 0.0:
            out.append(Symbol(key, key, "arg", fv, [off.span(node)], name, index))
    literals: dict = {}
    bounds: dict = {}
    for fn in tree.body:
        if not (isinstance(fn, ast.FunctionDef) and fn.name in FACTORIES):
            continue
        for node in ast.walk(fn):
            for child, where in _literal_positions(node):
                v = child.value
                if type(v) is int and v >= MIN_SIZE and where == "bound":
                    bounds.setdefault(v, []).append(off.span(child))
                elif type(v) is int and v >= MIN_SIZE:
                    literals.setdefault(("size", v), []).append(off.span(child))
                elif type(v) is float and v != 0.0 and fn.name == "get_init_inputs" and where != "kw":
                    literals.setdefault(("arg", v), []).append(off.span(child))
    # randint's low/high are a range of values: a class count that is also a size elsewhere (the
    # model's num_classes) moves with it, a plain value range (uint8's 256) stays.
    for v, spans in bounds.items():
        if ("size", v) in literals:
            literals[("size", v)] += spans
    for (kind, v), spans in literals.items():
        out.append(Symbol(f"literal {v!r}", f"{'size' if kind == 'size' else 'value'} {v!r}", kind, v, spans))
    return out


def _cpu_sizes_names(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "CPU_SIZES" for t in node.targets) \
                and isinstance(node.value, ast.Dict):
            return {k.value for k in node.value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return set()


def _literal_positions(node):
    """Literal constants used as sizes: positional call arguments and tuple/list/return elements."""
    if isinstance(node, ast.Call):
        fn = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for a in node.args:
            if isinstance(a, ast.Constant):
                yield a, ("bound" if fn in ("randint", "randint_like") else "pos")
        for k in node.keywords:  # size=..., num_classes=...; never dim=/axis= (axes)
            if isinstance(k.value, ast.Constant) and k.arg not in ("dim", "dims", "axis", "dtype", "device"):
                yield k.value, "kw"
    elif isinstance(node, (ast.Tuple, ast.List)):
        for e in node.elts:
            if isinstance(e, ast.Constant):
                yield e, "elt"
    elif isinstance(node, ast.Return) and isinstance(node.value, ast.Constant):
        yield node.value, "elt"


# ----------------------------------------------------------------------------- applying

def _literal(v) -> str:
    return repr(int(v)) if isinstance(v, int) and not isinstance(v, bool) else repr(float(v))


def apply(source: str, symbols: list[Symbol], values: dict) -> str:
    """The source with each symbol in `values` (key -> value) rewritten in place."""
    edits = [(s, e, _literal(values[sym.key])) for sym in symbols if sym.key in values for s, e in sym.spans]
    return _edit(source, edits)


def _edit(source: str, edits) -> str:
    data = source.encode()
    for s, e, text in sorted(edits, reverse=True):
        data = data[:s] + text.encode() + data[e:]
    return data.decode()


def candidate_source(cand_source: str, symbols: list[Symbol], values: dict) -> tuple[str, list[str]]:
    """A candidate's copies of the problem's top-level constants (same name, same value as the
    problem's, as written or as judged) get the configuration's values too, so a KernelBench
    candidate that copied `dim = 16384` is treated exactly like the problem itself."""
    try:
        tree = ast.parse(cand_source)
    except SyntaxError:
        return cand_source, []
    off = _Offsets(cand_source)
    by_name = {(s.name, s.index): s for s in symbols if s.name is not None}
    edits, names = [], []
    for name, index, node in _top_level(tree, off):
        sym = by_name.get((name, index))
        if sym is None or sym.key not in values:
            continue
        v = _int_value(node) if sym.kind == "size" else _float_value(node)
        if v is not None and v == sym.value:
            s, e = off.span(node)
            edits.append((s, e, _literal(values[sym.key])))
            names.append(sym.key)
    return _edit(cand_source, edits), names


# ----------------------------------------------------------------------------- judged sizes

def cpu_sizes_values(symbols: list[Symbol], cpu_sizes: dict) -> dict:
    return {s.key: cpu_sizes[s.name] for s in symbols
            if s.kind == "size" and s.index is None and s.name in cpu_sizes}


CAPS = (AUTO_CAP, 32, 16, 8)  # tried in turn until the problem fits the CPU budget


SCALES = (2, 4, 8, 16, 32, 64)  # then every size divided by these, which keeps their ratios


def scaled_values(symbols: list[Symbol], div: int) -> dict:
    """Every size divided by `div` (at least 1): relations such as `width * 2 == channels` hold.
    Kernel and window extents stay: they shape the output from the data sizes (a transposed
    convolution's width depends on both), so halving them breaks the very relations kept here."""
    return {s.key: max(1, s.value // div) for s in symbols
            if s.kind == "size" and not (s.value < MIN_SIZE and KERNEL_NAME.search(s.name or ""))}


def capped_values(symbols: list[Symbol], cap: int = AUTO_CAP) -> dict:
    return {s.key: cap for s in symbols if s.kind == "size" and s.value > cap}


def size_product(symbols: list[Symbol]) -> int:
    """A cheap upper bound on tensor sizes: the product of every size symbol."""
    return math.prod(s.value for s in symbols if s.kind == "size")


def show(symbols: list[Symbol], values: dict) -> str:
    """Every size of a configuration (`values` over the as-written ones): `ROWS 128, COLS 1000`."""
    return ", ".join(f"{s.label} {values.get(s.key, s.value)}" for s in symbols if s.kind == "size")


def describe(symbols: list[Symbol], values: dict, base: dict | None = None) -> str:
    """`batch_size 37, dim 53, eps 3.7e-05` for the symbols `values` changes (relative to `base`)."""
    base = base or {}
    parts = []
    for s in symbols:
        if s.key in values and values[s.key] != base.get(s.key, s.value):
            v = values[s.key]
            text = f"{v:.3g}" if isinstance(v, float) else str(v)
            parts.append(f"{s.label} {text}" if s.name else f"{s.label} -> {text}")
    return ", ".join(parts) or "the judged sizes"


# ----------------------------------------------------------------------------- unseen configurations

# Strategies, tried in order until the reference runs: sizes drawn independently as odd numbers;
# then equal sizes kept equal; then sizes that divided one another still dividing (heads into
# hidden); then multiples of 8 (or of the size's own power-of-two factor, up to 64); then one size
# at a time; then the scalar arguments alone.
STRATEGIES = ("independent-odd", "consistent-odd", "consistent-divisible", "consistent-mult8", "consistent-pow2",
              "single", "single", "args-only")


def _pow2_factor(v: int, cap: int) -> int:
    p = 1
    while v % (p * 2) == 0 and p * 2 <= cap:
        p *= 2
    return p


def _draw_size(rng, v: int, factors: tuple[float, float], step: int) -> int:
    lo, hi = max(2, v * factors[0]), v * factors[1]
    ks = [k for k in range(max(1, math.ceil(lo / step)), int(hi // step) + 1)
          if (step > 1 or k % 2 == 1) and k * step != v and (k * step) & (k * step - 1)]
    if not ks:  # nothing non-power-of-two in range: any other multiple near it
        ks = [k for k in range(max(1, math.ceil(lo / step)), int(hi // step) + 2) if k * step != v] or [v // step + 1]
    return rng.choice(ks) * step


SMALLER = (0.35, 0.87)
# One size grows several times over (a fixed BLOCK, a loop count or an accumulator that only holds
# at the judged width shows at wider rows); the others shrink so the tensors stay within MAX_GROWTH.
ELONGATED = (2.5, 6.0)
MODEST = (1.3, 2.0)


def _draw_arg(rng, v: float) -> float:
    if 0 < abs(v) < 1e-2:
        # An eps or a tiny slope barely moves a result: to be seen it must change by orders of magnitude.
        return float(f"{min(abs(v) * rng.uniform(30, 3000), 0.1) * (1 if v > 0 else -1):.4g}")
    f = rng.uniform(0.3, 0.7) if rng.random() < 0.5 else rng.uniform(1.4, 3.0)
    if 0 < abs(v) < 1 and abs(v * f) >= 1:  # probabilities, momenta, slopes stay below 1
        f = rng.uniform(0.3, 0.7)
    return float(f"{v * f:.4g}")


# An elongated configuration's tensors: at most this many times the judged ones. The width that
# grows is what finds fixed blocks and loop counts; the total only adds cost (an interpreted kernel's
# time follows its element count: at 4x, one unseen call cost as much as five judged ones).
MAX_GROWTH = 1.5


def _fit(out: dict, others: list, cur, growth: float) -> None:
    """Shrink the other sizes of an elongated configuration until its tensors fit MAX_GROWTH."""
    ratio = growth * math.prod(out[s.key] / cur(s) for s in others)
    while ratio > MAX_GROWTH:
        big = max((s for s in others if out[s.key] >= 3), key=lambda s: out[s.key], default=None)
        if big is None:
            return
        new = max(2, out[big.key] // 2) | 1
        ratio *= new / out[big.key]
        out[big.key] = new


def _keep_divisible(out: dict, sizes: list, cur) -> None:
    """Where a judged size divides another (heads into hidden, a group count into channels),
    make the new values keep that: the larger becomes a multiple of the smaller ones' new values.
    Odd values alone break every `hidden // heads` view, which leaves nothing to check there."""
    for s in sorted((x for x in sizes if x.key in out), key=cur):
        divisors = [out[t.key] for t in sizes if t.key in out and 1 < cur(t) < cur(s) and cur(s) % cur(t) == 0]
        if not divisors:
            continue
        step = math.lcm(*divisors)
        if step > 4 * out[s.key]:  # too many relations to keep at once: leave this one drawn as it was
            continue
        k = max(1, round(out[s.key] / step))
        out[s.key] = k * step if k * step != cur(s) else (k + 1) * step


def propose(symbols: list[Symbol], base: dict, rng, attempt: int, larger: bool,
            long: str | None = None, modest: bool = False) -> tuple[dict, str]:
    """New values (key -> value) for one unseen configuration around `base` (the judged values),
    and the strategy's name. Smaller: every size shrinks. Larger (elongated): the size `long` (or a
    random one) grows several times over and the others shrink; `modest`: it grows 1.3-2x only (a
    size other than the widest is often the grid's, and interpreted time follows the programs)."""
    strategy = STRATEGIES[min(attempt, len(STRATEGIES) - 1)]
    cur = lambda s: base.get(s.key, s.value)
    sizes = [s for s in symbols if s.kind == "size" and cur(s) >= 3]  # 1 and 2 have no odd neighbour to take
    args = [s for s in symbols if s.kind == "arg"]
    out: dict = {}
    grown = None
    if larger and sizes:
        grown = next((s for s in sizes if s.key == long), None) or rng.choice(sizes)
    if strategy == "single" and sizes:
        sizes = [grown or rng.choice(sizes)]
    if strategy != "args-only":
        by_value: dict = {}
        for s in sizes:
            v = cur(s)
            step = {"consistent-mult8": min(8, _pow2_factor(v, 8)), "consistent-pow2": _pow2_factor(v, 64),
                    "single": _pow2_factor(v, 64)}.get(strategy, 1)
            if strategy.startswith("consistent") and v in by_value:
                out[s.key] = by_value[v]
                continue
            factors = SMALLER
            if s is grown:
                # Toward the size as written (a GPU width) when the judged one is far below it, and
                # from the upper half of the range: what breaks only at wide rows shows at the widest.
                top = 4.0 if len(sizes) == 1 else max(ELONGATED[1], min(16.0, s.value / max(v, 1)))
                factors = MODEST if modest else (max(ELONGATED[0], top / 2), top)
            out[s.key] = by_value[v] = _draw_size(rng, v, factors, step)
    if grown is not None and grown.key in out:
        _fit(out, [x for x in sizes if x is not grown and x.key in out], cur, out[grown.key] / cur(grown))
    if strategy == "consistent-divisible":
        _keep_divisible(out, sizes, cur)
    if strategy != "single" or not sizes:
        for s in args:
            out[s.key] = _draw_arg(rng, cur(s))
    return out, strategy

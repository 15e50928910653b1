"""What the generated forward checks before it runs its kernels, and what it does otherwise.

A generic file (sizes and arguments read at run time) still assumes what every traced
configuration had in common: each input's rank and dtype, the dims that never moved (three
colour channels, a head size written in the file) and the integer module attributes that never
moved (a head count). A call that breaks one of these runs the
reference forward (Model.forward) instead of computing garbage.

A file specialised to the judged configuration (graph.pinned says why: a constant no run-time
expression explains, or code that depends on the sizes) checks the whole configuration: every
input's shape and dtype and the constructor's arguments, which ModelNew records as it is built.
"""
from __future__ import annotations

from kopt.agent.fusion.ir import Graph, is_contiguous
from kopt.agent.fusion.texpr import TORCH_DTYPE


def _inputs(g: Graph) -> list[dict]:
    return [g[r] for r in g.inputs if g[r]["op"] == "input"]


def _fixed(g: Graph) -> dict:
    info = {i["name"]: i for i in g.generic.get("inputs", [])}
    out = {}
    for n in _inputs(g):
        fixed = (info.get(n["name"]) or {}).get("fixed")
        out[n["name"]] = {int(d): v for d, v in fixed.items()} if fixed is not None else \
            dict(enumerate(n["shape"]))
    return out


def conditions(g: Graph) -> list[str]:
    conds = []
    fixed = _fixed(g)
    for n in _inputs(g):
        x, shape = n["name"], n["shape"]
        if g.pinned:
            conds.append(f"tuple({x}.shape) != {tuple(shape)!r}")
        else:
            conds.append(f"{x}.dim() != {len(shape)}")
            conds += [f"{x}.shape[{d}] != {v}" for d, v in sorted(fixed[x].items())]
        conds.append(f"{x}.dtype != {TORCH_DTYPE.get(n['dtype'], 'torch.' + n['dtype'])}")
    if not g.pinned:
        conds += [f"self.{k} != {v!r}" for k, v in sorted((g.generic.get("fixed_attrs") or {}).items())]
    if g.pinned:
        init = g.generic.get("init_args")
        if init is not None:
            conds.append(f"self._kopt_init != {[init, {}]!r}")
        else:
            conds += [f"self.{k} != {v!r}" for k, v in sorted((g.generic.get("attrs") or {}).items())]
    return conds


def prologue(g: Graph) -> list[str]:
    """The forward's first lines: the guard, then inputs in the layout the kernels were built for."""
    conds = conditions(g)
    call = ", ".join(g.forward_args)
    lines = []
    if conds:
        what = "the judged configuration" if g.pinned else "the traced ranks, dtypes and fixed sizes"
        lines += [f"if ({' or '.join(conds)}):" if len(conds) < 4 else "if (" + conds[0] + " or"]
        if len(conds) >= 4:
            lines += [f"        {c} or" for c in conds[1:-1]] + [f"        {conds[-1]}):"]
        lines += [f"    return super().forward({call})  # not {what}: the reference path"]
    contiguous = [n["name"] for n in _inputs(g) if is_contiguous(n["shape"], n["stride"])]
    if contiguous:  # the kernels' dim collapsing assumed the traced (contiguous) layout
        lines.append(f"{', '.join(contiguous)} = {', '.join(c + '.contiguous()' for c in contiguous)}")
    return lines + [""]


def init_override(g: Graph) -> list[str]:
    """A specialised file records its constructor arguments, so its guard can compare them."""
    if not g.pinned or g.generic.get("init_args") is None:
        return []
    return ["    def __init__(self, *args, **kwargs):",
            "        super().__init__(*args, **kwargs)",
            "        self._kopt_init = _kopt_plain([list(args), kwargs])",
            "",
            ]


PLAIN_HELPER = '''
def _kopt_plain(x):
    """Constructor arguments as lists and dicts, to compare with the judged ones."""
    if isinstance(x, (list, tuple)):
        return [_kopt_plain(v) for v in x]
    if isinstance(x, dict):
        return {k: _kopt_plain(v) for k, v in x.items()}
    return x
'''


def docstring_lines(g: Graph) -> list[str]:
    n = g.generic.get("configs", 1)
    if g.pinned:
        return [f"SPECIALISED to the judged configuration ({g.generic.get('note') or 'as traced'}): {g.pinned}.",
                "At any other input shape, dtype or constructor argument the forward runs Model.forward",
                "(the reference), so it stays correct there but is not faster."]
    fixed = {k: v for k, v in _fixed(g).items() if v}
    lines = [f"Sizes, strides and scalar arguments are read at run time (found by tracing {n} configurations);",
             "the forward runs Model.forward (the reference) for inputs of another rank or dtype"]
    if fixed:
        lines[-1] += " or other fixed sizes (" + "; ".join(
            f"{x} dim {', '.join(f'{d} = {v}' for d, v in sorted(dims.items()))}" for x, dims in fixed.items()) + ")"
    lines[-1] += "."
    return lines

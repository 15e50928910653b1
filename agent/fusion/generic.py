"""From traces at several configurations to one graph whose sizes and arguments are expressions.

capture.py traces the forward at the judged configuration and at other ones (other sizes, other
scalar arguments, float attributes tagged). The graphs have the same nodes; what differs is
shapes and constants. `unify` annotates the judged graph:
- each node gets `sym`: per dim an int (the same at every configuration) or a Python expression
  over run-time values (see solve.py), or None when nothing explains it;
- each constant that moves becomes {"expr": ..., "value": judged value} (or {"unsolved": ...});
- `generic` holds what the forward must check (fixed input dims, dtypes) and, for the fallback,
  the judged input shapes and constructor arguments.
Code generation uses the expressions and raises NotGeneric where it meets an unsolved one; the
file is then generated with a guard that sends other configurations to the reference forward.
"""
from __future__ import annotations

from kopt.agent.fusion.ir import is_ref, py_path
from kopt.agent.fusion.solve import Atom, Solver

SHAPED = ("shape", "stride", "sym")
MATERIALIZED = ("torch", "getitem")


def misaligned(a: dict, b: dict) -> str | None:
    """None when graph b has graph a's nodes in the same order, differing only in shapes and
    constants; else what differs (one line)."""
    if "error" in b:
        return b["error"]
    for key in ("inputs", "outputs", "single_output", "forward_args"):
        if not _same(a.get(key), b.get(key)):
            return f"its {key} differ"
    if len(a["nodes"]) != len(b["nodes"]):
        return f"the forward has {len(b['nodes'])} ops there, {len(a['nodes'])} at the judged sizes"
    for na, nb in zip(a["nodes"], b["nodes"]):
        if set(na) != set(nb):
            return f"{na['id']} ({na['op']}) differs"
        for k, va in na.items():
            if k in SHAPED:
                if len(va) != len(nb[k]):
                    return f"{na['id']} ({na['op']}) has another rank"
            elif not _same(va, nb[k]):
                return f"{na['id']} ({na.get('target') or na.get('fn') or na['op']}) differs in {k}"
    return None


def _same(x, y) -> bool:
    """Same structure: equal refs, strings, bools and None; numbers only of the same kind."""
    if isinstance(x, bool) or isinstance(y, bool) or x is None or y is None or isinstance(x, str):
        return x == y and type(x) is type(y)
    if isinstance(x, (int, float)):
        return type(x) is type(y)
    if isinstance(x, (list, tuple)):
        return isinstance(y, (list, tuple)) and len(x) == len(y) and all(_same(p, q) for p, q in zip(x, y))
    if isinstance(x, dict):
        return isinstance(y, dict) and set(x) == set(y) and all(_same(x[k], y[k]) for k in x)
    return x == y


def atoms(caps: list[dict]) -> list[Atom]:
    base = caps[0]
    out = []
    for i, node in enumerate(base["nodes"]):
        op = node["op"]
        if op == "input":
            prefix, prio, scope = node["name"], 0, None
        elif op in ("param", "buffer"):
            prefix, prio, scope = "self." + py_path(node["name"]), 1, None
        elif op in MATERIALIZED and node["shape"]:
            prefix, prio, scope = f"t{node['id'][1:]}", 4, node["id"]
        else:
            continue
        for d in range(len(node["shape"])):
            out.append(Atom(f"{prefix}.shape[{d}]", tuple(c["nodes"][i]["shape"][d] for c in caps), prio, scope))
    for key, prio, fmt in (("attrs", 2, "self.{}"), ("globals", 3, "{}")):
        common = set(base.get(key, {}))
        for c in caps[1:]:
            common &= set(c.get(key, {}))
        for name in sorted(common):
            out.append(Atom(fmt.format(name), tuple(c[key][name] for c in caps), prio))
    return out


def _ancestors(nodes_by_id: dict, ref: str) -> set[str]:
    seen, stack = set(), [ref]
    while stack:
        r = stack.pop()
        for a in _leaf_refs(nodes_by_id[r]["args"]):
            if a not in seen:
                seen.add(a)
                stack.append(a)
    return seen


def _leaf_refs(obj):
    if is_ref(obj):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for x in obj:
            yield from _leaf_refs(x)


def unify(base: dict, extras: list[dict]) -> tuple[dict, list[dict]]:
    """The judged graph annotated (see the module docstring), and each extra graph given the same
    annotations with its own shapes (for the generated-code comparison in module.py)."""
    caps = [base] + list(extras)
    solver = Solver(atoms(caps))
    by_id = {n["id"]: n for n in base["nodes"]}
    anc_cache: dict = {}

    def scopes(ref):
        if ref not in anc_cache:
            anc_cache[ref] = frozenset(r for r in _ancestors(by_id, ref) if by_id[r]["op"] in MATERIALIZED)
        return anc_cache[ref]

    for i, node in enumerate(base["nodes"]):
        sym = []
        for d in range(len(node["shape"])):
            vals = tuple(c["nodes"][i]["shape"][d] for c in caps)
            if len(set(vals)) == 1:
                sym.append(vals[0])
            elif node["op"] == "input":
                sym.append(f"{node['name']}.shape[{d}]")
            elif node["op"] in MATERIALIZED:  # a tensor PyTorch made: its shape is there to read
                sym.append(f"t{node['id'][1:]}.shape[{d}]")
            else:
                sym.append(solver.size(vals, scopes(node["id"])))
        node["sym"] = sym
        for key in node:
            if key in SHAPED or key in ("id", "op", "name"):
                continue
            others = [c["nodes"][i][key] for c in caps[1:]]
            node[key] = _constants(node[key], others, solver, lambda: scopes(node["id"]))
    base["generic"] = _guards(caps)
    annotated = []
    for c in caps[1:]:
        nodes = []
        for nb, na in zip(c["nodes"], base["nodes"]):
            nodes.append({**na, "shape": nb["shape"], "stride": nb["stride"]})
        annotated.append({**base, "nodes": nodes})
    return base, annotated


def _constants(x, others: list, solver: Solver, scopes):
    """x with every number that moves across configurations replaced by its expression."""
    if isinstance(x, dict):
        if "inv_count" in x:
            return x  # resolved from the counted tensor's `sym` at code generation
        return {k: _constants(v, [o[k] for o in others], solver, scopes) for k, v in x.items()}
    if isinstance(x, list):
        return [_constants(v, [o[i] for o in others], solver, scopes) for i, v in enumerate(x)]
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return x
    vals = (x, *others)
    if len(set(vals)) == 1:
        return x
    if isinstance(x, int) and abs(x) >= 2 ** 62:
        return x  # "to the end" of a slice
    expr = solver.size(vals, scopes()) if isinstance(x, int) else solver.scalar(vals)
    if expr is None:
        return {"unsolved": f"a constant that is {', '.join(map(repr, vals))} at the traced configurations",
                "value": x}
    return {"expr": expr, "value": x}


def _guards(caps: list[dict]) -> dict:
    base = caps[0]
    inputs = []
    for i, node in enumerate(base["nodes"]):
        if node["op"] != "input":
            continue
        fixed = {d: s for d, s in enumerate(node["shape"])
                 if all(c["nodes"][i]["shape"][d] == s for c in caps[1:])}
        inputs.append({"name": node["name"], "shape": node["shape"], "dtype": node["dtype"], "fixed": fixed,
                       "contiguous": node.get("contiguous", True)})
    # Integer attributes that no trace moved (a head count the sizing kept): the file may have baked
    # them into a view (`reshape(B, S, 4, D)`), so it checks them like the fixed input dims.
    attrs = base.get("attrs", {})
    fixed_attrs = {k: v for k, v in attrs.items() if type(v) is int
                   and all((c.get("attrs") or {}).get(k) == v for c in caps[1:])}
    return {"configs": len(caps), "inputs": inputs, "init_args": base.get("init_args"),
            "attrs": attrs, "fixed_attrs": fixed_attrs, "note": (base.get("config") or {}).get("note")}

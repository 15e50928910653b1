"""Fusion: partition the primitive graph into kernels.

Three kinds of group, each one Triton kernel:
- `pointwise`: elementwise ops over one output shape S (inputs broadcast into it);
- `rows`: reductions/scans over the same adjacent dims D of S, with the elementwise work before
  (prologue, on S) and after (epilogue, on S or on the reduced shape). Softmax, log-softmax,
  layer/RMS norm, residual+norm and cross-entropy each become one such kernel;
- `mm`: a matmul with an elementwise epilogue on its output (bias, activation, scale, residual).

Greedy, in topological order: a node joins the group of one of its operands when the kernel can
compute it there (same iteration space, no cycle through another kernel); otherwise it starts a
new group. Views and PyTorch ops stay outside, in the generated forward.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kopt.agent.fusion.ir import FUSIBLE, Graph


@dataclass(eq=False)  # identity semantics: groups are hashed as schedule units
class Group:
    kind: str                         # pointwise | rows | mm
    shape: list[int]                  # the iteration space S (mm: the output shape)
    dims: list[int] = field(default_factory=list)   # rows: the reduced dims D
    members: list[str] = field(default_factory=list)
    cls: dict[str, str] = field(default_factory=dict)  # member -> "full" | "row"
    index: int = 0
    outputs: list[str] = field(default_factory=list)   # members stored to memory
    inputs: list[str] = field(default_factory=list)    # refs loaded from memory
    origin: str = ""                  # a node whose shape is S (its `sym` gives S at run time)

    @property
    def row_shape(self) -> list[int]:
        return [1 if i in self.dims else s for i, s in enumerate(self.shape)]

    def classify(self, shape) -> str | None:
        shape = list(shape)
        if shape == self.shape:
            return "full"
        if self.kind == "rows" and shape == self.row_shape:
            return "row"
        return None

    def inputs_hint(self, g: Graph) -> list[str]:
        """Operands from outside the group (before `partition` fills `inputs`)."""
        members = set(self.members)
        return [a for m in self.members for a in g.operands(m) if a not in members]

    def has_scan(self, g: Graph) -> bool:
        return any(g[m]["op"] == "scan" for m in self.members)


@dataclass
class Options:
    fuse_epilogue: bool = True      # fold elementwise consumers into matmuls
    fuse_reductions: bool = True    # let reductions absorb their elementwise prologue


def _domain(g: Graph, ref: str):
    """The group a node would start on its own: (kind, S, D, class of the node, node shaped S)."""
    n = g[ref]
    if n["op"] == "mm":
        return "mm", n["shape"], [], "full", ref
    if n["op"] == "reduce":
        src = g.operands(ref)[0]
        return "rows", g[src]["shape"], n["dims"], "row", src
    if n["op"] == "scan":
        return "rows", n["shape"], [n["dim"]], "full", ref
    return "pointwise", n["shape"], [], "full", ref


def _fits(g: Graph, G: Group, ref: str, opts: Options) -> str | None:
    """The class `ref` would have as a member of G, or None when G's kernel cannot compute it."""
    n = g[ref]
    if g.is_alias(ref):
        src = g.operands(ref)[0]
        return G.cls.get(src)
    op = n["op"]
    if op == "mm":
        return None
    if op == "iota":
        c = G.classify(n["shape"])
        return c if c == "full" and G.kind == "rows" and G.dims == [n["dim"]] else None
    if G.kind == "mm":
        return "full" if op == "ew" and opts.fuse_epilogue and G.classify(n["shape"]) == "full" else None
    if op == "ew":
        c = G.classify(n["shape"])
        if c is None and G.kind == "rows" and _squeezed_row(G, n["shape"]) and \
                all(a in G.cls and G.cls[a] == "row" for a in g.operands(ref)):
            return "row"  # an epilogue on a keepdim=False reduction: same values, dims dropped
        if c == "row" and any(G.cls.get(a) == "full" for a in g.operands(ref)):
            return None
        return c
    src = g.operands(ref)[0]
    in_shape = g[src]["shape"]
    dims = n["dims"] if op == "reduce" else [n["dim"]]
    if G.cls.get(src) != "full" or list(in_shape) != G.shape or not opts.fuse_reductions:
        return None
    if G.kind == "pointwise" or G.dims == dims:
        if op == "reduce" and G.has_scan(g):
            return None  # a reduction of a scan needs the scan finished first: keep passes simple
        return "row" if op == "reduce" else "full"
    return None


def _squeezed_row(G: Group, shape) -> bool:
    return list(shape) == [s for i, s in enumerate(G.shape) if i not in G.dims]


def _creates_cycle(g: Graph, G: Group, ref: str, group_of: dict) -> bool:
    """Would G then need, through another kernel or op, a value that G itself produces?

    Walks back from ref's outside operands; reaching a member of another group means that whole
    kernel must run first, so all of its members' operands are walked too.
    """
    members = set(G.members)
    seen: set[str] = set()
    stack = [a for a in g.operands(ref) if a not in members]
    while stack:
        r = stack.pop()
        if r in seen:
            continue
        seen.add(r)
        if r in members:
            return True
        other = group_of.get(r)
        nxt = g.operands(r)
        if other is not None and other is not G:
            nxt = [a for m in other.members for a in g.operands(m)]
        stack.extend(nxt)
    return False


def _join(g: Graph, G: Group, ref: str, c: str, group_of: dict) -> None:
    n = g[ref]
    if G.kind == "pointwise" and n["op"] in ("reduce", "scan"):
        G.kind = "rows"
        G.dims = list(n["dims"] if n["op"] == "reduce" else [n["dim"]])
    G.members.append(ref)
    G.cls[ref] = c
    group_of[ref] = G


def partition(g: Graph, opts: Options | None = None) -> list[Group]:
    opts = opts or Options()
    groups: list[Group] = []
    group_of: dict[str, Group] = {}
    for ref in g.order:
        n = g[ref]
        if n["op"] not in FUSIBLE and not (g.is_alias(ref) and g.operands(ref)[0] in group_of):
            continue
        placed = False
        # Prefer the biggest kernel among the operands' groups: it usually holds the heavy data.
        candidates = {id(group_of[a]): group_of[a] for a in g.operands(ref) if a in group_of}
        for G in sorted(candidates.values(), key=lambda G: -len(G.members)):
            # Pull in free leaves (iota) the node needs from outside, when this kernel can make them.
            c = _fits(g, G, ref, opts)
            if c is None or _creates_cycle(g, G, ref, group_of):
                continue
            for b in g.operands(ref):
                if g[b]["op"] == "iota" and b not in group_of and _fits(g, G, b, opts):
                    _join(g, G, b, "full", group_of)
            _join(g, G, ref, c, group_of)
            placed = True
            break
        if placed:
            continue
        if g.is_alias(ref):
            continue
        if n["op"] == "iota" and all(g[u]["op"] in FUSIBLE for u in g.users.get(ref, [])):
            continue  # made inside its consumer's kernel (see above)
        kind, shape, dims, c, origin = _domain(g, ref)
        G = Group(kind=kind, shape=list(shape), dims=list(dims), origin=origin)
        for b in g.operands(ref):
            if g[b]["op"] == "iota" and b not in group_of and kind == "rows" and _fits(g, G, b, opts):
                _join(g, G, b, "full", group_of)
        _join(g, G, ref, c, group_of)
        groups.append(G)
    _orphan_iotas(g, groups, group_of)
    _merge_producers(g, groups, group_of, opts)
    _merge_siblings(g, groups, group_of)
    outs = g.output_refs()
    for i, G in enumerate(groups):
        G.index = i
        members = set(G.members)
        G.outputs = [m for m in G.members
                     if m in outs or any(u not in members for u in g.users.get(m, []))]
        seen = []
        for m in G.members:
            for a in g.operands(m):
                if a not in members and a not in seen:
                    seen.append(a)
        G.inputs = seen
    return _ordered(g, groups, group_of)


def _merge_producers(g: Graph, groups: list[Group], group_of: dict, opts: Options) -> None:
    """Fold a pointwise kernel into its only consumer kernel when that one can compute it too.

    Greedy placement starts a new kernel for ops whose operands are all outside (a mask made from
    a target index, say); recomputing them inside the consumer saves a launch and a round trip.
    """
    outs = g.output_refs()
    changed = True
    while changed:
        changed = False
        for P in [G for G in groups if G.kind == "pointwise"]:
            members = set(P.members)
            users = {u for m in P.members for u in g.users.get(m, []) if u not in members}
            if any(m in outs for m in P.members) or not users or any(u not in group_of for u in users):
                continue
            consumers = {id(group_of[u]): group_of[u] for u in users}
            if len(consumers) != 1:
                continue
            C = next(iter(consumers.values()))
            classes = {}
            trial = Group(kind=C.kind, shape=C.shape, dims=C.dims, cls=dict(C.cls))
            for m in P.members:
                c = _fits(g, trial, m, opts) if g[m]["op"] != "iota" else _fits(g, C, m, opts)
                if c is None and g[m]["op"] == "ew":
                    c = _broadcast_class(C, g[m]["shape"])
                if c is None:
                    break
                classes[m] = trial.cls[m] = c
            else:
                for m in P.members:
                    group_of[m] = C
                    C.cls[m] = classes[m]
                C.members = P.members + C.members
                groups.remove(P)
                changed = True
                break


def _merge_siblings(g: Graph, groups: list[Group], group_of: dict) -> None:
    """Two row kernels over the same rows and columns that read a common input become one, so it is
    read once: x for both its argmax and its cumsum, or a hand-written mean and var."""
    pos = {r: i for i, r in enumerate(g.order)}
    i = 0
    while i < len(groups):
        A = groups[i]
        for B in groups[i + 1:]:
            if A.kind != "rows" or B.kind != "rows" or A.shape != B.shape or A.dims != B.dims:
                continue
            if not set(A.inputs_hint(g)) & set(B.inputs_hint(g)):
                continue
            if _indirect(g, A, B) or _indirect(g, B, A):
                continue
            merged = A.members + B.members
            scans = {m for m in merged if g[m]["op"] == "scan"}
            if scans and any(g.ancestors(m) & scans for m in merged if g[m]["op"] == "reduce"):
                continue
            A.members = sorted(merged, key=pos.get)
            A.cls.update(B.cls)
            for m in B.members:
                group_of[m] = A
            groups.remove(B)
            break
        else:
            i += 1


def _indirect(g: Graph, A: Group, B: Group) -> bool:
    """Does kernel B need A's values through some other op? (Direct use is fine once merged.)"""
    members = set(A.members) | set(B.members)
    return any(a not in members and g.ancestors(a) & set(A.members) for a in B.inputs_hint(g))


def _broadcast_class(C: Group, shape) -> str | None:
    """The class of a smaller producer (a cast weight, a per-channel factor) recomputed inside C,
    where it broadcasts: its loads then step by 0 along the dims it lacks."""
    shape = list(shape)
    if len(shape) > len(C.shape):
        return None
    padded = [1] * (len(C.shape) - len(shape)) + shape
    if any(p not in (1, s) for p, s in zip(padded, C.shape)):
        return None
    if C.kind == "rows":
        return "row" if all(padded[d] == 1 for d in C.dims) else "full"
    return "full"


def _orphan_iotas(g, groups, group_of):
    """An iota whose consumer could not host it gets a pointwise kernel of its own."""
    for ref in g.order:
        if g[ref]["op"] == "iota" and ref not in group_of:
            G = Group(kind="pointwise", shape=list(g[ref]["shape"]), origin=ref)
            _join(g, G, ref, "full", group_of)
            groups.append(G)


def _ordered(g: Graph, groups: list[Group], group_of: dict) -> list[Group]:
    """Groups numbered in the order of their last member (the forward re-sorts all units)."""
    pos = {r: i for i, r in enumerate(g.order)}
    groups.sort(key=lambda G: max(pos[m] for m in G.members))
    for i, G in enumerate(groups):
        G.index = i
    return groups


def schedule(g: Graph, groups: list[Group]) -> list:
    """Everything the forward does, in an executable order: Group objects and node refs."""
    group_of = {m: G for G in groups for m in G.members}
    pos = {r: i for i, r in enumerate(g.order)}
    units: dict = {}
    for r in g.order:
        if r in group_of or g[r]["op"] in ("input", "param", "buffer"):
            continue
        units[r] = {group_of.get(a, a) for a in g.operands(r)}
    for G in groups:
        units[G] = {group_of.get(a, a) for m in G.members for a in g.operands(m)} - {G}
    leaves = {r for r in g.order if g[r]["op"] in ("input", "param", "buffer")}
    done, out = set(leaves), []
    key = lambda u: max(pos[m] for m in u.members) if isinstance(u, Group) else pos[u]
    pending = sorted(units, key=key)
    while pending:
        for u in pending:
            if units[u] <= done:
                out.append(u)
                done.add(u)
                pending.remove(u)
                break
        else:
            raise RuntimeError("fusion produced a cycle between kernels")  # a bug, not user input
    return out

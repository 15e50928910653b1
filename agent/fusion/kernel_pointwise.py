"""Pointwise kernels: one program per BLOCK elements of the output's iteration space."""
from __future__ import annotations

from kopt.agent.fusion.common import (Emitter, KernelOut, Variant, describe, kernel_name, load_expr,
                                      store_value)
from kopt.agent.fusion.ir import Graph, contiguous_stride, is_contiguous, numel
from kopt.agent.fusion.layout import collapse
from kopt.agent.fusion.texpr import TORCH_DTYPE


def unravel(index: str, sizes: list[str], names: list[str]) -> list[str]:
    """Lines splitting a flat index into per-axis indices (innermost axis last)."""
    if len(sizes) == 1:
        return [f"{names[0]} = {index}"]
    lines, rest = [], index
    for k in range(len(sizes) - 1, 0, -1):
        lines.append(f"{names[k]} = {rest} % {sizes[k]}")
        nxt = f"rest{k}"
        lines.append(f"{nxt} = {rest} // {sizes[k]}")
        rest = nxt
    lines.append(f"{names[0]} = {rest}")
    return lines


def pointwise(g: Graph, G, names: dict, kname: dict, var: Variant, device: str) -> KernelOut:
    S = G.shape
    name = kernel_name(g, G)
    ins = [a for a in G.inputs]
    outs = G.outputs
    layouts = [(g[a]["shape"], g[a]["stride"]) for a in ins] + [(S, None) for _ in outs]
    has_iota = any(g[m]["op"] == "iota" for m in G.members)
    if has_iota:
        axes = [[d] for d in range(len(S)) if S[d] != 1]
    else:
        axes = collapse(S, list(range(len(S))), [(s, st or contiguous_stride(S)) for s, st in layouts])
    simple = not has_iota and len(axes) <= 1 and all(
        numel(g[a]["shape"]) == numel(S) and is_contiguous(g[a]["shape"], g[a]["stride"]) for a in ins)

    params = [f"{kname[a]}_ptr" for a in ins] + [f"{kname[o]}_ptr" for o in outs]
    body = ["offs = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)"]
    sizes = [f"n{k}" for k in range(len(axes))]
    idx = [f"a{k}" for k in range(len(axes))]
    if simple:
        params.append("n")
        body.append("mask = offs < n")
        offset = {t: "offs" for t in [kname[a] for a in ins] + [kname[o] for o in outs]}
    else:
        params += sizes
        tnames = [kname[a] for a in ins] + [kname[o] for o in outs]
        for t in tnames:
            params += [f"{t}_s{k}" for k in range(len(axes))]
        total = " * ".join(sizes) or "1"
        body.append(f"mask = offs < {total}")
        if axes:
            body += unravel("offs", sizes, idx)
        offset = {t: " + ".join(f"{i} * {t}_s{k}" for k, i in enumerate(idx)) or "0" for t in tnames}

    em = Emitter(g, G.members)
    for a in ins:
        e, k = load_expr(f"{kname[a]}_ptr + {offset[kname[a]]}", "mask", g[a]["dtype"])
        em.set(a, e, k)
        em.exprs[a] = em.var(a)
    for m in G.members:
        n = g[m]
        if n["op"] == "iota":
            em.set(m, f"a{[ax[0] for ax in axes].index(n['dim'])}" if S[n["dim"]] != 1 else "offs * 0", "int")
        elif n["op"] == "view":
            em.exprs[m], em.kinds[m] = em.exprs[g.operands(m)[0]], em.kinds[g.operands(m)[0]]
        else:
            em.ew(m)
    body += em.lines
    for o in outs:
        body.append(f"tl.store({kname[o]}_ptr + {offset[kname[o]]}, "
                    f"{store_value(em.exprs[o], em.kinds[o], g[o]['dtype'])}, mask=mask)")
    params += em.scalars.signature()
    src = "@triton.jit\n" + f"def {name}({', '.join(params)}, BLOCK: tl.constexpr):\n" + \
        "\n".join("    " + ln for ln in body) + "\n"

    launch = [f"# {name}: {describe(g, G.members)} over {'x'.join(map(str, S)) or 'a scalar'}"]
    launch.append(f"S = {shape_source(g, G, names)}")
    dev = device_source(g, G, names)
    if simple:
        for a in ins:
            launch.append(f"{names[a]}_c = {names[a]}.contiguous()")
    alloc = []
    for o in outs:
        alloc.append(f"{names[o]} = torch.empty(S, device={dev}, dtype={TORCH_DTYPE[g[o]['dtype']]})")
    launch += alloc
    args_t = [f"{names[a]}_c" if simple else names[a] for a in ins] + [names[o] for o in outs]
    grid = f"(triton.cdiv(n, {var.block}),)"
    scal = "".join(f", {e}" for e in em.scalars.launch())
    if simple:
        launch.append("n = math.prod(S)")
        launch.append(f"{name}[{grid}]({', '.join(args_t)}, n{scal}, BLOCK={var.block}, num_warps={var.warps})")
    else:
        launch.append(f"sizes, strides = _axes(S, {axes}, {', '.join(args_t)})")
        launch.append("n = math.prod(sizes)")
        launch.append(f"{name}[{grid}]({', '.join(args_t)}, *sizes, *strides{scal}, BLOCK={var.block}, "
                      f"num_warps={var.warps})")
    launch += reshape_outputs(g, G, names)
    return KernelOut(name, src, launch, describe(g, G.members))


def shape_source(g: Graph, G, names: dict) -> str:
    """The iteration space at run time: an input's own shape when one has it, else the sizes
    computed from the forward's tensors and attributes (generic.py)."""
    for a in G.inputs:
        if list(g[a]["shape"]) == list(G.shape) and g[a]["op"] != "view":
            return f"{names[a]}.shape"
    return shape_tuple(g.sym(G.origin))


def shape_tuple(sym: list) -> str:
    return f"({', '.join(map(str, sym))}{',' if len(sym) == 1 else ''})"


def device_source(g: Graph, G, names: dict) -> str:
    for a in G.inputs:
        return f"{names[a]}.device"
    return names["__device__"]


def reshape_outputs(g: Graph, G, names: dict) -> list[str]:
    """Outputs that are relabelled views (a squeezed reduction) get their own shape back."""
    lines = []
    for o in G.outputs:
        want = g[o]["shape"]
        have = G.shape if G.cls.get(o) == "full" else G.row_shape
        if list(want) != list(have):
            lines.append(f"{names[o]} = {names[o]}.view({shape_tuple(g.sym(o))})")
    return lines

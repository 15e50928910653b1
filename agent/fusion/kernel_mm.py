"""Matmul kernels (2-D or batched) with the elementwise epilogue fused into the store.

A program computes one BLOCK_M x BLOCK_N tile of C in fp32 registers, walking K in BLOCK_K steps
with tl.dot (tensor cores on a GPU). Tiles are visited in groups of GROUP_M row-tiles so
neighbouring programs reuse B's column tiles from L2. The epilogue (bias, activation, scale,
residual...) runs on the accumulator before the single store, so C never makes a round trip.
Operands are addressed through strides: a transposed weight (`w.t()`) costs nothing.
"""
from __future__ import annotations

from kopt.agent.fusion.common import Emitter, KernelOut, Variant, describe, kernel_name, load_expr, store_value
from kopt.agent.fusion.ir import Graph
from kopt.agent.fusion.kernel_pointwise import device_source, reshape_outputs
from kopt.agent.fusion.texpr import TORCH_DTYPE

HELPERS = '''
def _bmn(t, shape):
    """Strides of t broadcast to `shape` ((M, N) or (B, M, N)), always as (batch, row, col)."""
    s = t.expand(shape).stride()
    return (0,) * (3 - len(s)) + tuple(s)
'''


def matmul(g: Graph, G, names: dict, kname: dict, var: Variant, device: str) -> KernelOut:
    # The matmul is not always the first member: producers folded in ahead of it (a batch norm's
    # per-channel factor, groups._merge_producers) and alias views after it are epilogue too.
    mm = next(m for m in G.members if g[m]["op"] == "mm")
    epilogue = [m for m in G.members if m != mm]
    a, b = g.operands(mm)
    out_shape = G.shape
    batched = len(out_shape) == 3
    epi_inputs = [t for t in G.inputs if t not in (a, b) or
                  any(t in g.operands(m) for m in epilogue)]
    tensors = [a, b] + epi_inputs + list(G.outputs)
    name = kernel_name(g, G)
    bm, bn, bk, gm, warps, stages = var.mm

    # Kernel-side names by position: an operand that the epilogue reads too (a residual `x + x @ w`)
    # comes in twice, once per addressing (K-walk and output tile), under two names.
    ka, kb = kname[a], kname[b] + ("_b" if b == a else "")
    pk = {t: kname[t] + ("_e" if t in (a, b) else "") for t in epi_inputs}
    pk.update({o: kname[o] for o in G.outputs})
    params = [f"{ka}_ptr", f"{kb}_ptr"] + [f"{pk[t]}_ptr" for t in tensors[2:]] + ["M", "N", "K"]
    params += [f"{ka}_sb", f"{ka}_sm", f"{ka}_sk", f"{kb}_sb", f"{kb}_sk", f"{kb}_sn"]
    for t in tensors[2:]:
        params += [f"{pk[t]}_sb", f"{pk[t]}_sm", f"{pk[t]}_sn"]
    half = g[a]["dtype"] in ("float16", "bfloat16") and g[b]["dtype"] == g[a]["dtype"]
    precision = "" if half else (', input_precision="tf32"' if var.tf32 else ', input_precision="ieee"')
    body = [
        "pid = tl.program_id(0)",
        "batch = tl.program_id(1).to(tl.int64)",
        "grid_m = tl.cdiv(M, BLOCK_M)",
        "grid_n = tl.cdiv(N, BLOCK_N)",
        "# Grouped tile order: GROUP_M row-tiles in a row share each column tile of B in L2.",
        "width = GROUP_M * grid_n",
        "first_m = (pid // width) * GROUP_M",
        "group_size = tl.minimum(grid_m - first_m, GROUP_M)",
        "pid_m = first_m + (pid % width) % group_size",
        "pid_n = (pid % width) // group_size",
        "rm = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)",
        "rn = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)",
        "rk = tl.arange(0, BLOCK_K)",
        f"a_ptrs = {ka}_ptr + batch * {ka}_sb + rm[:, None].to(tl.int64) * {ka}_sm + rk[None, :] * {ka}_sk",
        f"b_ptrs = {kb}_ptr + batch * {kb}_sb + rk[:, None] * {kb}_sk + rn[None, :].to(tl.int64) * {kb}_sn",
        "acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)",
        "for k in range(0, K, BLOCK_K):",
        "    a = tl.load(a_ptrs, mask=(rm[:, None] < M) & (rk[None, :] < K - k), other=0.0)",
        "    b = tl.load(b_ptrs, mask=(rk[:, None] < K - k) & (rn[None, :] < N), other=0.0)",
        "    if UPCAST:  # bf16 operands: the dot runs in fp32 on every device (see the launch)",
        "        a = a.to(tl.float32)",
        "        b = b.to(tl.float32)",
        f"    acc = tl.dot(a, b, acc{precision})",
        f"    a_ptrs += BLOCK_K * {ka}_sk",
        f"    b_ptrs += BLOCK_K * {kb}_sk",
        "mask = (rm[:, None] < M) & (rn[None, :] < N)",
        "rm64 = rm[:, None].to(tl.int64)",
        "rn64 = rn[None, :].to(tl.int64)",
    ]
    em = Emitter(g, G.members)
    em.exprs[mm], em.kinds[mm] = "acc", "float"
    off = {t: f"batch * {pk[t]}_sb + rm64 * {pk[t]}_sm + rn64 * {pk[t]}_sn"
           for t in epi_inputs + list(G.outputs)}
    for t in epi_inputs:
        e, k = load_expr(f"{pk[t]}_ptr + {off[t]}", "mask", g[t]["dtype"])
        em.set(t, e, k)
    for m in epilogue:
        if g[m]["op"] == "view":  # an alias (size-1 dims added or dropped): same values, new label
            src = g.operands(m)[0]
            em.exprs[m], em.kinds[m] = em.exprs[src], em.kinds[src]
        else:
            em.ew(m)
    body += em.lines
    for o in G.outputs:
        body.append(f"tl.store({pk[o]}_ptr + {off[o]}, "
                    f"{store_value(em.exprs[o], em.kinds[o], g[o]['dtype'])}, mask=mask)")
    params += em.scalars.signature()
    consts = "BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr, UPCAST: tl.constexpr"
    src = "@triton.jit\n" + f"def {name}({', '.join(params)}, {consts}):\n" + \
        "\n".join("    " + ln for ln in body) + "\n"

    A, B = names[a], names[b]
    launch = [f"# {name}: {describe(g, G.members)}, "
              f"{'x'.join(map(str, g[a]['shape']))} @ {'x'.join(map(str, g[b]['shape']))}"]
    if batched:
        launch.append(f"S = ({A}.shape[0], {A}.shape[1], {B}.shape[2])")
    else:
        launch.append(f"S = ({A}.shape[0], {B}.shape[1])")
    launch.append(f"M, N, K = S[-2], S[-1], {A}.shape[-1]")
    dev = device_source(g, G, names)
    for o in G.outputs:
        launch.append(f"{names[o]} = torch.empty(S, device={dev}, dtype={TORCH_DTYPE[g[o]['dtype']]})")
    strides = ", ".join([f"*_bmn({A}, {A}.shape)", f"*_bmn({B}, {B}.shape)"] +
                        [f"*_bmn({names[t]}, S)" for t in epi_inputs + list(G.outputs)])
    targs = ", ".join(names[t] for t in tensors)
    grid = f"(triton.cdiv(M, {bm}) * triton.cdiv(N, {bn}), {'S[0]' if batched else 1})"
    scal = "".join(f", {e}" for e in em.scalars.launch())
    launch.append(f"{name}[{grid}]({targs}, M, N, K, {strides}{scal},")
    # One code path on every device: the CPU interpreter has no bf16 dot, and a branch on the
    # device would leave the GPU path unjudged on CPU (the scan rejects it). bf16 values are exact
    # in fp32 (and in tf32), so upcasting costs throughput on a GPU, not accuracy.
    upcast = "True" if g[a]["dtype"] == "bfloat16" or g[b]["dtype"] == "bfloat16" else "False"
    launch.append(f"    BLOCK_M={bm}, BLOCK_N={bn}, BLOCK_K={bk}, GROUP_M={gm}, UPCAST={upcast}, "
                  f"num_warps={warps}, num_stages={stages})")
    launch += reshape_outputs(g, G, names)
    return KernelOut(name, src, launch, describe(g, G.members))

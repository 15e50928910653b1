"""Row kernels: reductions and scans over dims D of S, with their prologue and epilogue fused.

The iteration space is viewed as rows × columns: columns run over the reduced dims D, rows over
everything else (the dims before D and after D, so a reduction over a middle dim needs no copy).
Each program owns BLOCK_M rows. Two forms:
- whole-row: a row lives in registers, every input is read once;
- looped: one pass over the row per reduction (row_block columns at a time), then a final pass
  for the full-size outputs and scans — inputs are re-read (from L2 when rows are small enough),
  but register use stays bounded however long the row is.
When the row length depends on the configuration, the file holds both and the forward picks one
from the row length at run time (whole rows up to row_cap columns), so a size the search never
saw cannot ask a program for a row that does not fit its registers.
"""
from __future__ import annotations

from kopt.agent.fusion.common import (Emitter, KernelOut, Scalars, Variant, describe, kernel_name, load_expr,
                                      store_value)
from kopt.agent.fusion.ir import Graph, contiguous_stride
from kopt.agent.fusion.kernel_pointwise import device_source, reshape_outputs, shape_source, unravel
from kopt.agent.fusion.layout import axis_strides, collapse
from kopt.agent.fusion.texpr import TORCH_DTYPE

NEUTRAL = {"sum": "0.0", "max": '-float("inf")', "min": 'float("inf")', "argmax": '-float("inf")',
           "argmin": 'float("inf")', "cumsum": "0.0", "cumprod": "1.0"}


class RowsGen:
    def __init__(self, g: Graph, G, names: dict, kname: dict, var: Variant):
        self.g, self.G, self.names, self.kname, self.var = g, G, names, kname, var
        self.scalars = Scalars()  # shared by both forms, so they take the same parameters
        S, D = G.shape, G.dims
        self.storage = {o: (S if G.cls[o] == "full" else G.row_shape) for o in G.outputs}
        layouts = [(g[a]["shape"], g[a]["stride"]) for a in G.inputs]
        layouts += [(sh, contiguous_stride(sh)) for sh in self.storage.values()]
        self.o_axes = collapse(S, list(range(D[0])), layouts)
        self.r_axes = collapse(S, D, layouts) or [[D[0]]]
        self.i_axes = collapse(S, list(range(D[-1] + 1, len(S))), layouts)
        self.axes = self.o_axes + self.r_axes + self.i_axes
        self.tensors = list(G.inputs) + list(G.outputs)
        nr = len(self.r_axes)
        first_r = len(self.o_axes)
        self.row_only = {}
        # A reduction over dims of size 1 (a mean after a global pool) has every stride 0 along its
        # columns; its full-size tensors still need column offsets, so none counts as row-only then.
        one_column = all(S[d] == 1 for d in D)
        for t, (sh, st) in zip(self.tensors, layouts):
            strides = axis_strides(sh, st, S, self.axes)
            self.row_only[t] = not one_column and all(s == 0 for s in strides[first_r:first_r + nr])
        self.O = [f"O{k}" for k in range(len(self.o_axes))]
        self.R = [f"R{k}" for k in range(len(self.r_axes))]
        self.I = [f"I{k}" for k in range(len(self.i_axes))]

    def stride(self, t: str, axis_pos: int) -> str:
        return f"{self.kname[t]}_s{axis_pos}"

    # -------------------------------------------------------------- offsets
    def row_setup(self) -> list[str]:
        lines = ["rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)",
                 f"row_mask = rows < {' * '.join(self.O + self.I) or '1'}"]
        idx_names = [f"o{k}" for k in range(len(self.O))] + [f"i{k}" for k in range(len(self.I))]
        if idx_names:
            lines += unravel("rows", self.O + self.I, idx_names)
        positions = list(range(len(self.o_axes))) + \
            list(range(len(self.o_axes) + len(self.r_axes), len(self.axes)))
        for t in self.tensors:
            terms = [f"{i} * {self.stride(t, p)}" for i, p in zip(idx_names, positions)]
            lines.append(f"{self.kname[t]}_row = {' + '.join(terms) if terms else 'rows * 0'}")
        return lines

    def col_setup(self, start: str) -> list[str]:
        lines = [f"cols = {start}tl.arange(0, BLOCK_R)",
                 f"col_mask = cols < {' * '.join(self.R)}",
                 "mask = row_mask[:, None] & col_mask[None, :]"]
        r_names = [f"r{k}" for k in range(len(self.R))]
        lines += unravel("cols", self.R, r_names)
        base = len(self.o_axes)
        for t in self.tensors:
            if self.row_only[t]:
                continue
            terms = [f"{r} * {self.stride(t, base + k)}" for k, r in enumerate(r_names)]
            lines.append(f"{self.kname[t]}_col = {' + '.join(terms)}")
        return lines

    def full_off(self, t: str) -> str:
        k = self.kname[t]
        return f"{k}_row[:, None] + {k}_col[None, :]"

    # -------------------------------------------------------------- values
    def shape_of(self, consumer_full: bool):
        def fn(ref, expr):
            if consumer_full and self.is_row(ref):
                return f"{expr}[:, None]"
            return expr
        return fn

    def is_row(self, ref: str) -> bool:
        if ref in self.G.cls:
            return self.G.cls[ref] == "row"
        return self.row_only.get(ref, False)

    def emit_member(self, em: Emitter, m: str, start: str | None = None) -> None:
        g, n = self.g, self.g[m]
        op = n["op"]
        if op == "view":
            src = g.operands(m)[0]
            em.exprs[m], em.kinds[m] = em.exprs[src], em.kinds[src]
        elif op == "iota":
            em.set(m, "cols[None, :]", "int")
        elif op == "ew":
            em.ew(m, self.shape_of(self.G.cls[m] == "full"))
        elif op == "reduce" and start is None:  # whole-row form: reduce in place
            x = self.masked(em, m)
            fn = n["fn"]
            tl_fn = {"sum": "tl.sum", "max": "tl.max", "min": "tl.min", "argmax": "tl.argmax",
                     "argmin": "tl.argmin"}[fn]
            em.set(m, f"{tl_fn}({x}, axis=1)", "int" if fn.startswith("arg") else "float")
        elif op == "scan" and start is None:
            x = self.masked(em, m)
            em.set(m, f"tl.{n['fn']}({x}, axis=1)", "float")
        else:
            raise AssertionError(op)

    def masked(self, em: Emitter, m: str) -> str:
        src = self.g.operands(m)[0]
        e, k = em.exprs[src], em.kinds[src]
        if self.is_row(src):
            e = f"{e}[:, None]"
        if k != "float":
            e = f"{e}.to(tl.float32)"
        return f"tl.where(mask, {e}, {NEUTRAL[self.g[m]['fn']]})"

    def load_full(self, em: Emitter, refs) -> None:
        for a in refs:
            e, k = load_expr(f"{self.kname[a]}_ptr + {self.full_off(a)}", "mask", self.g[a]["dtype"])
            em.set(a, e, k)

    def load_rows(self, em: Emitter) -> None:
        for a in self.G.inputs:
            if self.row_only[a]:
                e, k = load_expr(f"{self.kname[a]}_ptr + {self.kname[a]}_row", "row_mask", self.g[a]["dtype"])
                em.set(a, e, k)

    def stores(self, em: Emitter, which: str) -> list[str]:
        out = []
        for o in self.G.outputs:
            full = self.G.cls[o] == "full"
            if (which == "full") != full:
                continue
            off = self.full_off(o) if full else f"{self.kname[o]}_row"
            mask = "mask" if full else "row_mask"
            out.append(f"tl.store({self.kname[o]}_ptr + {off}, "
                       f"{store_value(em.exprs[o], em.kinds[o], self.g[o]['dtype'])}, mask={mask})")
        return out

    # -------------------------------------------------------------- bodies
    def whole_row(self) -> list[str]:
        lines = self.row_setup() + self.col_setup("")
        em = Emitter(self.g, self.G.members, scalars=self.scalars)
        self.load_rows(em)
        self.load_full(em, [a for a in self.G.inputs if not self.row_only[a]])
        for m in self.G.members:
            self.emit_member(em, m)
        return lines + em.lines + self.stores(em, "full") + self.stores(em, "row")

    def full_deps(self, roots: list[str], through_scans: bool = False) -> tuple[list[str], list[str]]:
        """Full-size members and full-size inputs a pass must compute to produce `roots`. A
        reduction pass stops at a scan (it carries nothing across blocks); the final pass, which
        carries every scan, needs what each scan reads too (`cumsum(x) / n`: x)."""
        members, inputs, stack = set(), [], list(roots)
        while stack:
            r = stack.pop()
            if r in self.G.cls:
                if self.G.cls[r] != "full" or r in members:
                    continue
                members.add(r)
                if self.g[r]["op"] != "scan" or r in roots or through_scans:
                    stack.extend(self.g.operands(r))
            elif not self.row_only.get(r, True) and r not in inputs:
                inputs.append(r)
        return [m for m in self.G.members if m in members], inputs

    def looped(self) -> list[str]:
        g, G = self.g, self.G
        lines = self.row_setup()
        em = Emitter(g, G.members, scalars=self.scalars)
        self.load_rows(em)
        pending = [m for m in G.members if G.cls[m] == "row" and g[m]["op"] != "reduce"]
        n_cols = " * ".join(self.R)

        def flush():
            for m in list(pending):
                if all(a in em.exprs for a in g.operands(m)):
                    self.emit_member(em, m)
                    pending.remove(m)

        flush()
        for red in [m for m in G.members if g[m]["op"] == "reduce"]:
            src = g.operands(red)[0]
            members, inputs = self.full_deps([src])
            lines += em.lines
            em.lines = []
            fn, acc = g[red]["fn"], f"acc{red[1:]}"
            if fn.startswith("arg"):
                lines += [f"{acc}_v = tl.full([BLOCK_M], {NEUTRAL[fn]}, tl.float32)",
                          f"{acc}_i = tl.zeros([BLOCK_M], dtype=tl.int64)"]
            else:
                lines.append(f"{acc} = tl.full([BLOCK_M, BLOCK_R], {NEUTRAL[fn]}, tl.float32)")
            body = self.col_setup("start + ")
            inner = Emitter(g, G.members, exprs=dict(em.exprs), kinds=dict(em.kinds), scalars=self.scalars)
            self.load_full(inner, inputs)
            for m in members:
                self.emit_member(inner, m, start="start")
            body += inner.lines
            x = self.masked(inner, red)
            if fn in ("sum",):
                body.append(f"{acc} = {acc} + {x}")
            elif fn in ("max", "min"):
                body.append(f"{acc} = tl.{'maximum' if fn == 'max' else 'minimum'}({acc}, {x})")
            else:
                cmp = ">" if fn == "argmax" else "<"
                base = fn[3:]
                body += [f"xm = {x}", f"cv = tl.{base}(xm, axis=1)",
                         f"ci = tl.{fn}(xm, axis=1).to(tl.int64) + start",
                         f"upd = cv {cmp} {acc}_v", f"{acc}_i = tl.where(upd, ci, {acc}_i)",
                         f"{acc}_v = tl.where(upd, cv, {acc}_v)"]
            lines.append(f"for start in range(0, {n_cols}, BLOCK_R):")
            lines += ["    " + ln for ln in body]
            if fn.startswith("arg"):
                em.set(red, f"{acc}_i", "int")
            else:
                em.set(red, f"tl.{fn}({acc}, axis=1)", "float")
            flush()
        lines += em.lines
        em.lines = []
        roots = [o for o in G.outputs if G.cls[o] == "full"]
        members, inputs = self.full_deps(roots, through_scans=True)
        if roots:
            scans = [m for m in members if g[m]["op"] == "scan"]
            for s in scans:
                lines.append(f"carry{s[1:]} = tl.full([BLOCK_M], {NEUTRAL[g[s]['fn']]}, tl.float32)")
            body = self.col_setup("start + ")
            inner = Emitter(g, G.members, exprs=dict(em.exprs), kinds=dict(em.kinds), scalars=self.scalars)
            self.load_full(inner, inputs)
            for m in members:
                if g[m]["op"] == "scan":
                    x, c, v = self.masked(inner, m), f"carry{m[1:]}", inner.var(m)
                    if g[m]["fn"] == "cumsum":
                        inner.lines += [f"xm = {x}", f"{v} = tl.cumsum(xm, axis=1) + {c}[:, None]",
                                        f"{c} = {c} + tl.sum(xm, axis=1)"]
                    else:
                        inner.lines += [f"p = tl.cumprod({x}, axis=1)", f"{v} = p * {c}[:, None]",
                                        f"{c} = {c} * tl.sum(tl.where(tl.arange(0, BLOCK_R)[None, :] == "
                                        f"BLOCK_R - 1, p, 0.0), axis=1)"]
                    inner.exprs[m], inner.kinds[m] = v, "float"
                else:
                    self.emit_member(inner, m, start="start")
            body += inner.lines + self.stores(inner, "full")
            lines.append(f"for start in range(0, {n_cols}, BLOCK_R):")
            lines += ["    " + ln for ln in body]
        return lines + self.stores(em, "row")

    # -------------------------------------------------------------- launch
    def forms(self) -> tuple[bool, bool]:
        """(whole-row kernel, looped kernel): both, with the choice made at run time from the row
        length, unless the row length is the same at every traced configuration."""
        var, G = self.var, self.G
        sym = self.g.sym(self.G.origin)
        cols = [sym[d] for d in G.dims]
        if all(isinstance(c, int) for c in cols):
            n = 1
            for c in cols:
                n *= c
            return (True, False) if n <= var.row_cap else (False, True)
        return var.row_cap > 0, True

    def kernel(self, name: str, body: list[str]) -> str:
        params = [f"{self.kname[t]}_ptr" for t in self.tensors] + self.O + self.R + self.I
        for t in self.tensors:
            params += [self.stride(t, p) for p in range(len(self.axes))]
        params += self.scalars.signature()
        return "@triton.jit\n" + f"def {name}({', '.join(params)}, BLOCK_M: tl.constexpr, BLOCK_R: tl.constexpr):\n" \
            + "\n".join("    " + ln for ln in body) + "\n"

    def build(self) -> KernelOut:
        g, G, var = self.g, self.G, self.var
        name = kernel_name(g, G)
        whole, looped = self.forms()
        bodies = ([(name, self.whole_row())] if whole else []) + \
            ([(name + "_looped" if whole else name, self.looped())] if looped else [])
        src = "\n\n".join(self.kernel(n, b) for n, b in bodies)
        S = G.shape
        dims = "over dim " + ", ".join(map(str, G.dims))
        form = {(True, False): "one row per register block", (False, True): "looped over column blocks",
                (True, True): f"whole rows up to {var.row_cap} columns, looped beyond"}[(whole, looped)]
        launch = [f"# {name}: {describe(g, G.members)} ({dims} of {'x'.join(map(str, S))} as traced, {form})"]
        launch.append(f"S = {shape_source(g, G, self.names)}")
        dev = device_source(g, G, self.names)
        row_shape = "(" + ", ".join("1" if d in G.dims else f"S[{d}]" for d in range(len(S))) + \
            ("," if len(S) == 1 else "") + ")"
        for o in G.outputs:
            shape = "S" if G.cls[o] == "full" else row_shape
            launch.append(f"{self.names[o]} = torch.empty({shape}, device={dev}, "
                          f"dtype={TORCH_DTYPE[g[o]['dtype']]})")
        targs = ", ".join(self.names[t] for t in self.tensors)
        launch.append(f"sizes, strides = _axes(S, {self.axes}, {targs})")
        n_o, n_r = len(self.o_axes), len(self.r_axes)
        launch.append(f"n_rows = math.prod(sizes[:{n_o}] + sizes[{n_o + n_r}:])")
        launch.append(f"n_cols = math.prod(sizes[{n_o}:{n_o + n_r}])")
        chunk = f"min({var.row_block}, triton.next_power_of_2(n_cols))"
        if whole and looped:  # a long row would not fit a program's registers on a GPU
            launch.append(f"looped = n_cols > {var.row_cap}")
            launch.append(f"BLOCK_R = {chunk} if looped else triton.next_power_of_2(n_cols)")
            fn = f"({name}_looped if looped else {name})"
        else:
            launch.append(f"BLOCK_R = {chunk if looped else 'triton.next_power_of_2(n_cols)'}")
            fn = name
        if var.rows_per_program:
            launch.append(f"BLOCK_M = {var.rows_per_program}")
        else:  # about 4K elements per program: several short rows share one, a long row has its own
            launch.append("BLOCK_M = max(1, min(triton.next_power_of_2(n_rows), 4096 // BLOCK_R))")
        launch.append(f"warps = max({var.warps}, min(16, BLOCK_R * BLOCK_M // 512))")
        scal = "".join(f", {e}" for e in self.scalars.launch())
        launch.append(f"{fn}[(triton.cdiv(n_rows, BLOCK_M),)]({targs}, *sizes, *strides{scal}, "
                      f"BLOCK_M=BLOCK_M, BLOCK_R=BLOCK_R, num_warps=warps)")
        launch += reshape_outputs(g, G, self.names)
        return KernelOut(name, src, launch, describe(g, G.members))


def rows(g: Graph, G, names: dict, kname: dict, var: Variant, device: str) -> KernelOut:
    return RowsGen(g, G, names, kname, var).build()

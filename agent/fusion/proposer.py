"""The built-in proposer: the fusion compiler's candidates, one file per variant.

The first round brings the variant the heuristics expect to win; later rounds bring the
alternatives (block sizes, warps, matmul tiles, whole-row vs looped rows, TF32 vs IEEE, fusing
the matmul epilogue or not), and the judge's measurements choose. When nothing in the problem can
run in our own kernels, the proposer says why instead of offering PyTorch back.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kopt.agent.fusion.common import Variant
from kopt.agent.fusion.groups import partition
from kopt.agent.fusion.ir import CaptureError, Graph, capture
from kopt.agent.fusion.module import generate
from kopt.agent.proposers import Proposal, ProposeContext

LONG_ROW = 8192  # columns beyond which a whole row no longer fits a program's registers on a GPU


def variants(g: Graph, device: str) -> list[Variant]:
    """The variants worth measuring for this graph, the expected best first."""
    groups = partition(g)
    kinds = {G.kind for G in groups}
    longest = max([_cols(G) for G in groups if G.kind == "rows"] or [0])
    mm_groups = [G for G in groups if G.kind == "mm"]
    small_m = any(min(G.shape[-2], G.shape[-1]) <= 32 for G in mm_groups)
    half = any(g[g.operands(m)[0]]["dtype"] in ("float16", "bfloat16")
               for G in mm_groups for m in G.members if g[m]["op"] == "mm")
    base = Variant(label="default", row_cap=LONG_ROW, row_block=4096)
    if mm_groups:
        if small_m:       # skinny/decode shapes: a narrow M tile, wide N and K tiles
            base = replace(base, mm=(16, 128, 64, 1, 4, 4))
        else:
            base = replace(base, mm=(128, 128, 64 if half else 32, 8, 8, 3))
    out = [base]
    if "pointwise" in kinds:
        out += [replace(base, label="block2048-w8", block=2048, warps=8),
                replace(base, label="block512-w4", block=512, warps=4)]
    if "rows" in kinds:
        if longest > LONG_ROW:
            out.append(replace(base, label="whole-row", row_cap=1 << 40))
        elif longest > 1024:
            out.append(replace(base, label="looped-2048", row_cap=0, row_block=2048))
        out.append(replace(base, label="one-row-per-program", rows_per_program=1))
    if mm_groups:
        for tiles in [(64, 64, 32, 8, 4, 3), (128, 64, 64, 8, 4, 4), (64, 128, 64, 8, 4, 4),
                      (128, 256, 64, 8, 8, 3)]:
            if tiles != base.mm:
                out.append(replace(base, label="mm-" + "x".join(map(str, tiles[:3])) + f"-w{tiles[4]}s{tiles[5]}",
                                   mm=tiles))
        if not half:
            out.append(replace(base, label="ieee-fp32-dot", tf32=False))
        if any(len(G.members) > 1 for G in mm_groups):
            out.append(replace(base, label="unfused-epilogue", fuse_epilogue=False))
    return out


def _cols(G) -> int:
    n = 1
    for d in G.dims:
        n *= G.shape[d]
    return n


def why_not(g: Graph) -> str | None:
    """Why the compiler has nothing of its own to offer, or None when it does."""
    if any(True for _ in partition(g)):
        return None
    kept = sorted({g[r]["target"] for r in g.order if g[r]["op"] == "torch"})
    if kept:
        return ("nothing to fuse: every op stays in PyTorch (" + ", ".join(kept) +
                " has no Triton lowering in the built-in compiler); an LLM proposer can still try")
    return "nothing to fuse: the forward only moves views around"


class BuiltinProposer:
    name = "builtin"

    def __init__(self, problem: str | Path, device: str, on_event=None, sizes: str = "auto",
                 memory_gb: float | None = 8.0):
        self.problem = Path(problem)
        self.device = device
        self.sizes, self.memory_gb = sizes, memory_gb   # as the judge is given them (--sizes, --memory-gb)
        self.on_event = on_event or (lambda *a, **k: None)
        self.graph: Graph | None = None
        self.todo: list[Variant] | None = None
        self.done_reason: str | None = None   # set when the proposer stops for a reason worth telling

    def prepare(self) -> None:
        if self.todo is not None:
            return
        self.on_event("phase", text="built-in compiler: tracing the forward")
        try:
            self.graph = capture(self.problem, self.device, sizes=self.sizes, memory_gb=self.memory_gb)
        except CaptureError as e:
            self.todo, self.done_reason = [], f"built-in compiler: {e}"
            return
        reason = why_not(self.graph)
        if reason:
            self.todo, self.done_reason = [], f"built-in compiler: {reason}"
            return
        self.todo = variants(self.graph, self.device)
        kept = self.graph.unsupported
        if kept:
            self.on_event("phase", text="built-in compiler keeps in PyTorch: " + "; ".join(kept))

    def propose(self, ctx: ProposeContext) -> list[Proposal]:
        self.prepare()
        out = []
        source = self.problem.read_text()
        rows = list(ctx.recent) + list(ctx.last_by_lane.values())
        seen = {r.get("origin") for r in rows}
        failed = failure(rows)
        if failed and self.todo:  # the variants share their kernels: the others would fail the same way
            self.todo, self.done_reason = [], failed
        while self.todo and len(out) < ctx.n:
            var = self.todo.pop(0)
            if f"builtin:{var.label}" in seen:  # judged before this run was resumed
                continue
            try:
                text, _ = generate(self.graph, self.problem.name, source, var, self.device)
            except Exception as e:  # noqa: BLE001 - a compiler bug must not end the run, and must be told
                # Variants differ only in tunables: the same graph fails the same way in each of them.
                self.todo = []
                self.done_reason = (f"built-in compiler: code generation failed ({type(e).__name__}: {e}); "
                                    "the other variants share this code, so none was tried")
                break
            if "SPECIALISED to the judged configuration" in text and not out:
                self.on_event("phase", text="built-in compiler: " + text.split("SPECIALISED ", 1)[1].split("\n")[0])
            out.append(Proposal(lane=len(out), source=text, origin=f"builtin:{var.label}"))
        if not out and self.done_reason is None:
            self.done_reason = "built-in compiler: every variant has been measured"
        return out


def failure(rows: list[dict]) -> str | None:
    """Why to stop when a built-in candidate did not compile or run. A GPU resource limit (shared
    memory, registers) belongs to one variant's tiles, so the others are still worth a try."""
    for r in rows:
        v = r.get("verdict") or {}
        if not str(r.get("origin", "")).startswith("builtin:") or v.get("status") not in ("compile_error",
                                                                                          "runtime_error"):
            continue
        reason = str(v.get("reason") or "")
        if "resource" in reason.lower() or "shared memory" in reason.lower():
            continue
        return (f"built-in compiler: its file {r['origin']} failed the judge ({v['status']}: {reason[:300]}); "
                "the other variants share its kernels, so none was tried")
    return None


class SeededProposer:
    """The LLM, with the built-in compiler's best guess judged alongside its first round."""
    name = "auto"

    def __init__(self, builtin: BuiltinProposer, llm):
        self.builtin, self.llm = builtin, llm
        self.done_reason = None

    def propose(self, ctx: ProposeContext) -> list[Proposal]:
        out = list(self.llm.propose(ctx))
        if ctx.round == 0:
            seed = self.builtin.propose(replace(ctx, n=1))
            out += [replace(p, lane=len(out) + i) for i, p in enumerate(seed)]
        return out

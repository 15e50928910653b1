"""The primitive IR as plain Python (no torch here: the optimizer process stays torch-free).

A graph is what capture.py writes: leaf nodes (`input`, `param`, `buffer`), then primitives in
topological order — `ew` (elementwise, `fn` names the function), `reduce` (`fn` over adjacent
`dims`, keepdim shape), `scan` (cumsum/cumprod along `dim`), `iota` (index along `dim`), `mm`
(2-D or batched 3-D matmul), `view` (a PyTorch view/reshape call), `torch` (an ATen op kept in
PyTorch) and `getitem`. Arguments are refs ("v12") or constants.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass, field

from kopt.sandbox import rlimits

FUSIBLE = {"ew", "reduce", "scan", "iota", "mm"}
LEAVES = {"input", "param", "buffer"}


class CaptureError(Exception):
    """The problem's forward could not be captured; the message says why, in one paragraph."""


class NotGeneric(Exception):
    """Code generation needs a size or constant that no run-time expression explains."""


def py_path(dotted: str) -> str:
    """An attribute path as Python after `self.`: layers.0.weight -> layers[0].weight."""
    out = ""
    for part in dotted.split("."):
        out += f"[{part}]" if part.isdigit() else f".{part}"
    return out.lstrip(".")


def is_ref(a) -> bool:
    return isinstance(a, str) and a.startswith("v") and a[1:].isdigit()


def refs(args) -> list[str]:
    out = []
    for a in args:
        if is_ref(a):
            out.append(a)
        elif isinstance(a, (list, tuple)):
            out.extend(refs(a))
    return out


def contiguous_stride(shape) -> list[int]:
    stride, acc = [], 1
    for s in reversed(list(shape)):
        stride.append(acc)
        acc *= max(int(s), 1)
    return list(reversed(stride))


def is_contiguous(shape, stride) -> bool:
    return all(sh == 1 or st == cs for sh, st, cs in zip(shape, stride, contiguous_stride(shape)))


def squeezed(shape) -> list[int]:
    return [s for s in shape if s != 1]


@dataclass
class Graph:
    nodes: dict[str, dict]
    order: list[str]
    inputs: list[str]
    outputs: list
    single_output: bool
    forward_args: list[str]
    unsupported: list[str] = field(default_factory=list)
    users: dict[str, list[str]] = field(default_factory=dict)
    generic: dict = field(default_factory=dict)        # guards and the judged configuration (generic.py)
    alternates: list = field(default_factory=list)     # the same graph at the other traced configurations
    pinned: str | None = None                          # set: generate for the judged configuration only

    @classmethod
    def from_json(cls, data: dict) -> "Graph":
        if "error" in data:
            raise CaptureError(data["error"])
        nodes = {n["id"]: n for n in data["nodes"]}
        g = cls(nodes=nodes, order=[n["id"] for n in data["nodes"]], inputs=data["inputs"],
                outputs=data["outputs"], single_output=data["single_output"],
                forward_args=data["forward_args"], unsupported=data.get("unsupported", []),
                generic=data.get("generic") or {})
        g.users = {r: [] for r in g.order}
        for r in g.order:
            for a in g.operands(r):
                g.users.setdefault(a, []).append(r)
        return g

    def sym(self, ref: str) -> list:
        """The node's shape for generated code: ints and run-time expressions (see generic.py)."""
        n = self.nodes[ref]
        if self.pinned or "sym" not in n:
            return list(n["shape"])
        if any(s is None for s in n["sym"]):
            raise NotGeneric(f"no run-time expression for the shape {n['shape']} of {ref} ({n['op']})")
        return list(n["sym"])

    def operands(self, ref: str) -> list[str]:
        return refs(self.nodes[ref]["args"])

    def __getitem__(self, ref: str) -> dict:
        return self.nodes[ref]

    def output_refs(self) -> set[str]:
        return set(refs(self.outputs))

    def is_alias(self, ref: str) -> bool:
        """A view that only adds or removes size-1 dims of a contiguous tensor: same memory, new label."""
        n = self.nodes[ref]
        if n["op"] != "view" or n.get("call") not in ("reshape", "squeeze", "unsqueeze", "view"):
            return False
        src = self.nodes[self.operands(ref)[0]]
        return squeezed(src["shape"]) == squeezed(n["shape"]) and is_contiguous(src["shape"], src["stride"])

    def ancestors(self, ref: str) -> set[str]:
        seen, stack = set(), list(self.operands(ref))
        while stack:
            r = stack.pop()
            if r not in seen:
                seen.add(r)
                stack.extend(self.operands(r))
        return seen


def numel(shape) -> int:
    return math.prod(shape) if shape else 1


def _limits(memory_bytes: int | None) -> dict:
    out = {"RLIMIT_CORE": (0, 0)}
    if memory_bytes:  # like the judge's CPU workers: a full-size trace fails instead of swapping
        out["RLIMIT_AS"] = (memory_bytes, memory_bytes)
    return out


def _env() -> dict:
    env = dict(os.environ)
    env.pop("TRITON_INTERPRET", None)
    for key in [k for k in env if "KEY" in k.upper() or "TOKEN" in k.upper()]:
        env.pop(key)  # the problem's code has no business with secrets
    return env


def _run(args: list[str], device: str, timeout: float, memory_gb: float | None):
    # CUDA reserves far more address space than it uses: the limit applies on the CPU only.
    memory = int(memory_gb * (1 << 30)) if memory_gb and device == "cpu" else None
    try:
        cmd = rlimits.wrap([sys.executable, "-m", "kopt.agent.fusion.capture", *args], _limits(memory))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env())
    except subprocess.TimeoutExpired:
        raise CaptureError(f"tracing the forward took longer than {timeout:.0f} s") from None
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    try:
        if not lines:
            raise ValueError("no result")
        return [json.loads(ln) for ln in lines]
    except ValueError:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        why = f"the tracing process exited with code {proc.returncode}"
        if proc.returncode < 0 or "MemoryError" in proc.stderr or "bad_alloc" in proc.stderr:
            why += (f" (killed or out of memory: its limit is {memory_gb:g} GB of address space)"
                    if memory else " (killed)")
        raise CaptureError("tracing the forward failed: " + why + (": " + " | ".join(tail) if tail else "")) from None


def _graph(data: dict) -> Graph:
    from kopt.agent.fusion.generic import unify
    if "error" in data:
        raise CaptureError(data["error"])
    extras = data.pop("extra", [])
    base, others = unify(data, extras)
    g = Graph.from_json(base)
    g.alternates = [Graph.from_json(o) for o in others]
    g.generic["extra_notes"] = data.get("extra_notes", [])
    return g


def capture(problem: str, device: str = "cpu", timeout: float = 300.0, sizes: str = "auto",
            memory_gb: float | None = 8.0) -> Graph:
    """Trace the problem in a child process (it imports torch and runs the problem's code), at the
    judged configuration and others (capture.py), and make one generic graph of them (generic.py).
    The child runs under an address-space limit like the judge's CPU workers."""
    return _graph(_run([str(problem), device, sizes], device, timeout, memory_gb)[-1])


def capture_many(problems: list, device: str = "cpu", timeout: float = 900.0, sizes: str = "auto",
                 memory_gb: float | None = 8.0) -> dict:
    """{problem: Graph or CaptureError} from one child process (torch is imported once)."""
    out = {}
    if not problems:
        return out
    for data in _run(["--many", device, sizes, *map(str, problems)], device, timeout, memory_gb):
        path = data.pop("path")
        try:
            out[path] = _graph(data)
        except CaptureError as e:
            out[path] = e
    return out

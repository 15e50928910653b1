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

FUSIBLE = {"ew", "reduce", "scan", "iota", "mm"}
LEAVES = {"input", "param", "buffer"}


class CaptureError(Exception):
    """The problem's forward could not be captured; the message says why, in one paragraph."""


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

    @classmethod
    def from_json(cls, data: dict) -> "Graph":
        if "error" in data:
            raise CaptureError(data["error"])
        nodes = {n["id"]: n for n in data["nodes"]}
        g = cls(nodes=nodes, order=[n["id"] for n in data["nodes"]], inputs=data["inputs"],
                outputs=data["outputs"], single_output=data["single_output"],
                forward_args=data["forward_args"], unsupported=data.get("unsupported", []))
        g.users = {r: [] for r in g.order}
        for r in g.order:
            for a in g.operands(r):
                g.users.setdefault(a, []).append(r)
        return g

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


def capture(problem: str, device: str = "cpu", timeout: float = 300.0) -> Graph:
    """Trace the problem in a child process (it imports torch and runs the problem's code)."""
    env = dict(os.environ)
    env.pop("TRITON_INTERPRET", None)
    for key in [k for k in env if "KEY" in k.upper() or "TOKEN" in k.upper()]:
        env.pop(key)  # the problem's code has no business with secrets
    try:
        proc = subprocess.run([sys.executable, "-m", "kopt.agent.fusion.capture", str(problem), device],
                              capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise CaptureError(f"tracing the forward took longer than {timeout:.0f} s") from None
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    try:
        data = json.loads(last)
    except ValueError:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise CaptureError("tracing the forward failed: " + " | ".join(tail)) from None
    return Graph.from_json(data)

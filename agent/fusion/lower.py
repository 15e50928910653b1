"""ATen graph (from make_fx) -> the primitive IR of kopt.agent.fusion.ir. Runs where torch lives.

Composite ops (softmax, layer norm, losses, addmm...) are decomposed here into a handful of
primitives — elementwise `ew`, `reduce`, `scan`, `mm`, `view` — because fusion and code generation
then need to know only those. Ops without a lowering become `torch` nodes: they run in PyTorch in
the generated file, and elementwise work around them is still fused.
"""
from __future__ import annotations

import math

import torch

aten = torch.ops.aten

UNARY = {  # aten packet name -> ew fn (no parameters)
    "abs": "abs", "neg": "neg", "exp": "exp", "log": "log", "sqrt": "sqrt", "rsqrt": "rsqrt",
    "sin": "sin", "cos": "cos", "tanh": "tanh", "sigmoid": "sigmoid", "erf": "erf", "relu": "relu",
    "silu": "silu", "hardswish": "hardswish", "hardsigmoid": "hardsigmoid", "reciprocal": "reciprocal",
    "log1p": "log1p", "expm1": "expm1", "logical_not": "not", "bitwise_not": "not", "exp2": "exp2",
    "sign": "sign", "floor": "floor", "ceil": "ceil", "mish": "mish", "square": "square",
}
BINARY = {"mul": "mul", "div": "div", "maximum": "maximum", "minimum": "minimum", "eq": "eq",
          "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge", "logical_and": "and",
          "logical_or": "or", "bitwise_and": "and", "bitwise_or": "or", "fmax": "maximum",
          "fmin": "minimum"}
VIEWS = {"view", "_unsafe_view", "reshape", "t", "transpose", "permute", "expand", "unsqueeze",
         "squeeze", "slice", "select", "alias", "detach", "lift_fresh_copy", "numpy_T", "view_as",
         "expand_as", "unflatten", "flatten", "narrow"}


def dtype_name(dt) -> str:
    return str(dt).replace("torch.", "")


def contiguous_stride(shape) -> list[int]:
    stride, acc = [], 1
    for s in reversed(list(shape)):
        stride.append(acc)
        acc *= max(int(s), 1)
    return list(reversed(stride))


def broadcast(*shapes) -> list[int]:
    shapes = [list(s) for s in shapes if s is not None]
    rank = max((len(s) for s in shapes), default=0)
    out = [1] * rank
    for s in shapes:
        for i, v in enumerate([1] * (rank - len(s)) + s):
            out[i] = v if out[i] == 1 else out[i]
    return out


class Unsupported(Exception):
    pass


class Lowerer:
    def __init__(self):
        self.nodes: list[dict] = []
        self.env: dict = {}      # fx node -> ref ("vN") or list of refs
        self.count = 0

    # ------------------------------------------------------------------ emitting
    def emit(self, op: str, args: list, shape, dtype: str, stride=None, **kw) -> str:
        self.count += 1
        ref = f"v{self.count}"
        shape = [int(s) for s in shape]
        self.nodes.append({"id": ref, "op": op, "args": args, "shape": shape, "dtype": dtype,
                           "stride": list(stride) if stride is not None else contiguous_stride(shape), **kw})
        return ref

    def info(self, ref):
        if not isinstance(ref, str):
            return None
        for n in reversed(self.nodes):
            if n["id"] == ref:
                return n
        raise KeyError(ref)

    def shape(self, x):
        n = self.info(x)
        return n["shape"] if n else None

    def ew(self, fn: str, *args, dtype: str = "float32", **params) -> str:
        shape = broadcast(*[self.shape(a) for a in args])
        return self.emit("ew", list(args), shape, dtype, fn=fn, **params)

    def reduce(self, fn: str, x: str, dims, dtype: str = "float32") -> str:
        shape = list(self.shape(x))
        dims = sorted({d % len(shape) for d in dims}) if shape else []
        if dims and dims != list(range(dims[0], dims[-1] + 1)):
            raise Unsupported(f"a reduction over non-adjacent dims {dims}")
        out = [1 if i in dims else s for i, s in enumerate(shape)]
        return self.emit("reduce", [x], out, dtype, fn=fn, dims=dims)

    def squeeze_to(self, x: str, shape, dtype=None) -> str:
        """Relabel a keepdim result to the shape ATen returns (only size-1 dims differ)."""
        shape = [int(s) for s in shape]
        if list(self.shape(x)) == shape:
            return x
        return self.emit("view", [x], shape, dtype or self.info(x)["dtype"], call="reshape",
                         params=[shape])

    def count_of(self, x, dims) -> int:
        shape = self.shape(x)
        dims = range(len(shape)) if not dims else dims
        return math.prod(shape[d] for d in dims) if shape else 1

    def inv_count(self, x, dims, minus: int = 0) -> dict:
        """1 / (elements of x over dims - minus), as a constant the generated code computes from
        x's shape at run time (a mean's 1/N is not the traced 1/N at other sizes)."""
        shape = self.shape(x)
        dims = list(range(len(shape))) if not dims else [d % len(shape) for d in dims]
        n = self.count_of(x, dims)
        return {"inv_count": x, "dims": dims, "minus": minus, "value": 1.0 / max(n - minus, 1)}

    # ------------------------------------------------------------------ arguments
    def arg(self, a):
        if isinstance(a, torch.fx.Node):
            v = self.env[a]
            if isinstance(v, list):
                raise Unsupported("a multi-output op used as a tensor")
            return v
        if isinstance(a, (list, tuple)):
            return [self.arg(x) for x in a]
        if isinstance(a, torch.dtype):
            return {"dtype": dtype_name(a)}
        if isinstance(a, torch.device):
            return {"device": str(a)}
        if isinstance(a, torch.memory_format):
            return {"memory_format": str(a).replace("torch.", "")}
        if isinstance(a, torch.layout):
            return {"layout": str(a).replace("torch.", "")}
        if a is None or isinstance(a, (bool, int, float, str)):
            return a
        raise Unsupported(f"an argument of type {type(a).__name__}")

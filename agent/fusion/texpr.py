"""Triton expressions for elementwise functions, and dtype spellings.

Everything computes in fp32 registers (loads upcast, stores downcast), as PyTorch's own fp16/bf16
kernels do internally. Only core `tl` functions are used — no libdevice — so the same kernel runs
under the CPU interpreter and on every GPU backend.
"""
from __future__ import annotations

import math
import re

TL_DTYPE = {"float32": "tl.float32", "float16": "tl.float16", "bfloat16": "tl.bfloat16",
            "float64": "tl.float64", "int64": "tl.int64", "int32": "tl.int32", "int16": "tl.int16",
            "int8": "tl.int8", "uint8": "tl.uint8", "bool": "tl.int1"}
TORCH_DTYPE = {k: f"torch.{k}" for k in TL_DTYPE}
FLOATS = {"float32", "float16", "bfloat16", "float64"}


def kind_of(dtype: str) -> str:
    return "float" if dtype in FLOATS else ("bool" if dtype == "bool" else "int")


def lit(v) -> str:
    """A constant as Triton source (a str is already source: a kernel's run-time scalar)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int):
        return str(v)
    v = float(v)
    if math.isinf(v):
        return 'float("inf")' if v > 0 else '-float("inf")'
    if math.isnan(v):
        return 'float("nan")'
    return repr(v)


def _gelu(a, p):
    if p.get("approximate", "none") == "tanh":
        inner = f"0.7978845608028654 * ({a} + 0.044715 * {a} * {a} * {a})"
        return f"0.5 * {a} * (1.0 + (2.0 * tl.sigmoid(2.0 * ({inner})) - 1.0))"
    return f"0.5 * {a} * (1.0 + tl.erf({a} * 0.7071067811865476))"


def _softplus(a, p):
    beta, thr = p.get("beta", 1.0), p.get("threshold", 20.0)
    z = a if beta == 1.0 else f"({a} * {lit(beta)})"
    # log(1 + e^z) = max(z, 0) + log(1 + e^-|z|): no overflow for large z
    soft = f"(tl.maximum({z}, 0.0) + tl.log(1.0 + tl.exp(-tl.abs({z}))))"
    if beta != 1.0:
        soft = f"{soft} / {lit(beta)}"
    return f"tl.where({z} > {lit(thr)}, {a}, {soft})"


def _elu(a, p):
    alpha, scale, iscale = p.get("alpha", 1.0), p.get("scale", 1.0), p.get("input_scale", 1.0)
    factor = lit(alpha * scale) if not isinstance(alpha, str) and not isinstance(scale, str) \
        else f"{lit(alpha)} * {lit(scale)}"
    neg = f"{factor} * (tl.exp({a} * {lit(iscale)}) - 1.0)"
    pos = a if scale == 1.0 else f"{a} * {lit(scale)}"
    return f"tl.where({a} > 0, {pos}, {neg})"


def _clamp(a, p):
    out = a
    if p.get("lo") is not None:
        out = f"tl.maximum({out}, {lit(p['lo'])})"
    if p.get("hi") is not None:
        out = f"tl.minimum({out}, {lit(p['hi'])})"
    return out


def _pow(a, b, p):
    if isinstance(b, str) and not _is_number(b):
        return f"tl.exp2({b} * tl.log2({a}))"
    e = float(b)
    if e.is_integer() and 0 < e <= 4:
        return " * ".join([a] * int(e))
    if e.is_integer() and -4 <= e < 0:
        return "1.0 / (" + " * ".join([a] * int(-e)) + ")"
    return f"tl.exp2({lit(e)} * tl.log2({a}))"


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


UNARY = {
    "abs": "tl.abs({a})", "neg": "-{a}", "exp": "tl.exp({a})", "exp2": "tl.exp2({a})",
    "log": "tl.log({a})", "sqrt": "tl.sqrt({a})", "rsqrt": "tl.rsqrt({a})", "sin": "tl.sin({a})",
    "cos": "tl.cos({a})", "erf": "tl.erf({a})", "floor": "tl.floor({a})", "ceil": "tl.ceil({a})",
    "sigmoid": "tl.sigmoid({a})", "tanh": "2.0 * tl.sigmoid(2.0 * {a}) - 1.0",
    "relu": "tl.maximum({a}, 0.0)", "silu": "{a} * tl.sigmoid({a})",
    "hardswish": "{a} * tl.minimum(tl.maximum({a} + 3.0, 0.0), 6.0) / 6.0",
    "hardsigmoid": "tl.minimum(tl.maximum({a} + 3.0, 0.0), 6.0) / 6.0",
    "reciprocal": "1.0 / {a}", "square": "{a} * {a}", "log1p": "tl.log(1.0 + {a})",
    "expm1": "tl.exp({a}) - 1.0", "not": "{a} == 0",
    "sign": "tl.where({a} > 0, 1.0, tl.where({a} < 0, -1.0, 0.0))",
    "mish": "{a} * (2.0 * tl.sigmoid(2.0 * (tl.maximum({a}, 0.0) + tl.log(1.0 + tl.exp(-tl.abs({a}))))) - 1.0)",
}
BINARY = {"add": "{a} + {b}", "sub": "{a} - {b}", "mul": "{a} * {b}", "div": "{a} / {b}",
          "maximum": "tl.maximum({a}, {b})", "minimum": "tl.minimum({a}, {b})",
          "eq": "{a} == {b}", "ne": "{a} != {b}", "lt": "{a} < {b}", "le": "{a} <= {b}",
          "gt": "{a} > {b}", "ge": "{a} >= {b}", "and": "{a} & {b}", "or": "{a} | {b}"}
PARAM = {"gelu": _gelu, "softplus": _softplus, "elu": _elu, "clamp": _clamp,
         "leaky_relu": lambda a, p: f"tl.where({a} > 0, {a}, {a} * {lit(p.get('slope', 0.01))})"}


def paren(e: str) -> str:
    """e, parenthesised unless it is already an atom (a name, a number, a subscript, a call)."""
    if _is_number(e):
        return e if not e.startswith("-") else f"({e})"
    if re.fullmatch(r"[\w.]+(\[[^\]]*\])?", e) or (re.fullmatch(r"[\w.]+\(.*\)", e) and _balanced(e)):
        return e
    return f"({e})"


def _balanced(e: str) -> bool:
    """True when the outer call's parentheses enclose everything after the name (f(a) + g(b) is not)."""
    depth = 0
    for i, ch in enumerate(e):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch == ")" and i != len(e) - 1:
            return False
    return True


def ew_expr(fn: str, args: list[str], params: dict, out_dtype: str, in_kinds: list[str]) -> str:
    """The expression for one elementwise node; args are already-rendered operands."""
    a = [paren(x) for x in args]
    if fn == "copy":
        k = kind_of(out_dtype)
        if k == "bool":
            return f"{a[0]} != 0"
        if k == "int":
            return f"{a[0]}.to({TL_DTYPE[out_dtype]})"
        return f"{a[0]}.to(tl.float32)" if in_kinds[0] != "float" else args[0]
    if fn == "where":
        return f"tl.where({args[0]}, {args[1]}, {args[2]})"
    if fn == "pow":
        return _pow(a[0], args[1], params)
    if fn in UNARY:
        return UNARY[fn].format(a=a[0])
    if fn in BINARY:
        if fn in ("add", "sub", "mul", "div") and "bool" in in_kinds[:2]:
            a = [f"{x}.to(tl.float32)" if k == "bool" else x for x, k in zip(a, in_kinds)]
        return BINARY[fn].format(a=a[0], b=a[1])
    if fn in PARAM:
        return PARAM[fn](a[0], params)
    raise KeyError(f"no Triton expression for {fn}")


def result_kind(fn: str, out_dtype: str, in_kinds: list[str]) -> str:
    if fn in ("eq", "ne", "lt", "le", "gt", "ge", "not"):
        return "bool"
    if fn in ("and", "or"):
        return "bool" if all(k == "bool" for k in in_kinds) else "int"
    if fn == "copy":
        return kind_of(out_dtype)
    if fn == "where":
        ks = in_kinds[1:]
        return "float" if "float" in ks else (ks[0] if ks else "float")
    if fn in ("neg", "abs", "maximum", "minimum", "add", "sub", "mul") and in_kinds \
            and all(k == "int" for k in in_kinds):
        return "int"
    return "float"

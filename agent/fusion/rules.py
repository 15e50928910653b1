"""One lowering rule per ATen op: how it decomposes into the primitive IR.

Each rule gets the Lowerer, the fx node, its arguments (already mapped to IR refs/constants) and
the traced output (`val`, a tensor or a tuple), and returns a ref or a list of refs.
Numerics follow ATen: reductions and normalizations compute in fp32 whatever the input dtype,
which is also what PyTorch's own kernels do for fp16/bf16.
"""
from __future__ import annotations

from kopt.agent.fusion.lower import BINARY, UNARY, VIEWS, Lowerer, Unsupported, dtype_name

RULES = {}


def rule(*names):
    def deco(fn):
        for n in names:
            RULES[n] = fn
        return fn
    return deco


def out_dtype(val) -> str:
    v = val[0] if isinstance(val, (tuple, list)) else val
    return dtype_name(v.dtype)


def lower_node(L: Lowerer, node, args, kwargs, val):
    from kopt.agent.fusion import rules_nn  # noqa: F401  (registers the normalization and loss rules)

    name = node.target._overloadpacket.__name__ if hasattr(node.target, "_overloadpacket") else str(node.target)
    dt = out_dtype(val) if val is not None else "float32"
    if name in UNARY and not kwargs:
        return L.ew(UNARY[name], args[0], dtype=dt)
    if name in BINARY and not kwargs:
        return L.ew(BINARY[name], args[0], args[1], dtype=dt)
    if name in VIEWS:
        return view(L, name, args, val)
    fn = RULES.get(name)
    if fn is None:
        raise Unsupported(f"aten.{name} has no lowering")
    return fn(L, args, kwargs, val, dt)


# ---------------------------------------------------------------------------- elementwise
def _binop(fn):
    def lower(L, a, kw, val, dt):
        x, y = a[0], a[1]
        alpha = kw.get("alpha", a[2] if len(a) > 2 else 1)
        if alpha != 1:
            y = L.ew("mul", y, alpha)
        return L.ew(fn, x, y, dtype=dt)
    return lower


RULES["add"] = _binop("add")
RULES["sub"] = _binop("sub")


@rule("rsub")
def _rsub(L, a, kw, val, dt):
    alpha = kw.get("alpha", a[2] if len(a) > 2 else 1)
    x = a[0] if alpha == 1 else L.ew("mul", a[0], alpha)
    return L.ew("sub", a[1], x, dtype=dt)


@rule("div")
def _div(L, a, kw, val, dt):
    if kw.get("rounding_mode") is not None:
        raise Unsupported("div with a rounding mode")
    return L.ew("div", a[0], a[1], dtype=dt)


@rule("pow")
def _pow(L, a, kw, val, dt):
    x, e = a[0], a[1]
    if isinstance(x, (int, float)):
        raise Unsupported("pow with a scalar base")
    if isinstance(e, str):
        return L.ew("pow", x, e, dtype=dt)
    if e == 1:
        return L.ew("copy", x, dtype=dt)
    if e == 2:
        return L.ew("square", x, dtype=dt)
    if e == 0.5:
        return L.ew("sqrt", x, dtype=dt)
    if e == -0.5:
        return L.ew("rsqrt", x, dtype=dt)
    if e == -1:
        return L.ew("reciprocal", x, dtype=dt)
    return L.ew("pow", x, float(e), dtype=dt)


@rule("gelu")
def _gelu(L, a, kw, val, dt):
    return L.ew("gelu", a[0], dtype=dt, approximate=kw.get("approximate", a[1] if len(a) > 1 else "none"))


@rule("leaky_relu")
def _leaky(L, a, kw, val, dt):
    return L.ew("leaky_relu", a[0], dtype=dt, slope=float(a[1]) if len(a) > 1 else 0.01)


@rule("elu")
def _elu(L, a, kw, val, dt):
    alpha, scale, iscale = (list(a[1:]) + [1.0, 1.0, 1.0])[:3]
    return L.ew("elu", a[0], dtype=dt, alpha=float(alpha), scale=float(scale), input_scale=float(iscale))


@rule("softplus")
def _softplus(L, a, kw, val, dt):
    beta, threshold = (list(a[1:]) + [1.0, 20.0])[:2]
    return L.ew("softplus", a[0], dtype=dt, beta=float(beta), threshold=float(threshold))


@rule("clamp")
def _clamp(L, a, kw, val, dt):
    lo = kw.get("min", a[1] if len(a) > 1 else None)
    hi = kw.get("max", a[2] if len(a) > 2 else None)
    if any(isinstance(v, str) for v in (lo, hi)):
        raise Unsupported("clamp with tensor bounds")
    return L.ew("clamp", a[0], dtype=dt, lo=lo, hi=hi)


@rule("clamp_min")
def _clamp_min(L, a, kw, val, dt):
    return L.ew("clamp", a[0], dtype=dt, lo=a[1], hi=None)


@rule("clamp_max")
def _clamp_max(L, a, kw, val, dt):
    return L.ew("clamp", a[0], dtype=dt, lo=None, hi=a[1])


@rule("hardtanh")
def _hardtanh(L, a, kw, val, dt):
    lo, hi = (list(a[1:]) + [-1.0, 1.0])[:2]
    return L.ew("clamp", a[0], dtype=dt, lo=lo, hi=hi)


@rule("where")
def _where(L, a, kw, val, dt):
    return L.ew("where", a[0], a[1], a[2], dtype=dt)


@rule("masked_fill")
def _masked_fill(L, a, kw, val, dt):
    return L.ew("where", a[1], a[2], a[0], dtype=dt)


@rule("_to_copy", "to", "_to_dtype", "type_as", "clone", "contiguous", "lift_fresh_copy")
def _copy(L, a, kw, val, dt):
    if kw.get("memory_format") not in (None, {"memory_format": "contiguous_format"},
                                       {"memory_format": "preserve_format"}):
        raise Unsupported("a copy to a non-contiguous memory format")
    return L.ew("copy", a[0], dtype=dt)


@rule("lerp")
def _lerp(L, a, kw, val, dt):
    d = L.ew("sub", a[1], a[0])
    return L.ew("add", a[0], L.ew("mul", a[2], d), dtype=dt)


@rule("addcmul")
def _addcmul(L, a, kw, val, dt):
    v = kw.get("value", 1)
    return L.ew("add", a[0], L.ew("mul", L.ew("mul", a[1], a[2]), v), dtype=dt)


# ---------------------------------------------------------------------------- reductions
def _dims(L, x, dims):
    if dims is None or dims == []:
        return list(range(len(L.shape(x))))
    return [dims] if isinstance(dims, int) else list(dims)


def _keep(L, ref, val, dt=None):
    return L.squeeze_to(ref, val.shape, dt)


@rule("sum")
def _sum(L, a, kw, val, dt):
    dims = _dims(L, a[0], a[1] if len(a) > 1 else None)
    return _keep(L, L.reduce("sum", a[0], dims, dt), val)


@rule("mean")
def _mean(L, a, kw, val, dt):
    dims = _dims(L, a[0], a[1] if len(a) > 1 else None)
    s = L.reduce("sum", a[0], dims)
    return _keep(L, L.ew("mul", s, L.inv_count(a[0], dims), dtype=dt), val)


@rule("amax")
def _amax(L, a, kw, val, dt):
    dims = _dims(L, a[0], a[1] if len(a) > 1 else None)
    return _keep(L, L.reduce(kw.get("_fn", "max"), a[0], dims, dt), val)


RULES["amin"] = lambda L, a, kw, val, dt: _amax(L, a, {**kw, "_fn": "min"}, val, dt)


@rule("max")
def _max(L, a, kw, val, dt):
    fn = kw.get("_fn", "max")
    if len(a) == 1:  # max over everything -> a 0-d tensor
        return _keep(L, L.reduce(fn, a[0], _dims(L, a[0], None), dt), val)
    if isinstance(a[1], str):
        return L.ew("maximum" if fn == "max" else "minimum", a[0], a[1], dtype=dt)
    dims = _dims(L, a[0], a[1])
    values = L.reduce(fn, a[0], dims, out_dtype(val))
    index = L.reduce("arg" + fn, a[0], dims, "int64")
    return [_keep(L, values, val[0]), _keep(L, index, val[1])]


RULES["min"] = lambda L, a, kw, val, dt: _max(L, a, {**kw, "_fn": "min"}, val, dt)


@rule("argmax")
def _argmax(L, a, kw, val, dt):
    fn = kw.get("_fn", "argmax")
    dim = kw.get("dim", a[1] if len(a) > 1 else None)
    return _keep(L, L.reduce(fn, a[0], _dims(L, a[0], dim), "int64"), val)


RULES["argmin"] = lambda L, a, kw, val, dt: _argmax(L, a, {**kw, "_fn": "argmin"}, val, dt)


@rule("logsumexp")
def _logsumexp(L, a, kw, val, dt):
    dims = _dims(L, a[0], a[1])
    m = L.reduce("max", a[0], dims)
    s = L.reduce("sum", L.ew("exp", L.ew("sub", a[0], m)), dims)
    return _keep(L, L.ew("add", L.ew("log", s), m, dtype=dt), val)


@rule("var")
def _var(L, a, kw, val, dt):
    dims = _dims(L, a[0], a[1] if len(a) > 1 else None)
    corr = kw.get("correction", 1)
    corr = 1 if corr is None else corr
    mean = L.ew("mul", L.reduce("sum", a[0], dims), L.inv_count(a[0], dims))
    xc = L.ew("sub", a[0], mean)
    var = L.ew("mul", L.reduce("sum", L.ew("square", xc), dims), L.inv_count(a[0], dims, corr))
    out = L.ew("sqrt", var, dtype=dt) if kw.get("_std") else L.ew("copy", var, dtype=dt)
    return _keep(L, out, val)


RULES["std"] = lambda L, a, kw, val, dt: _var(L, a, {**kw, "_std": True}, val, dt)


@rule("cumsum")
def _scan(L, a, kw, val, dt):
    x, dim = a[0], a[1] % len(L.shape(a[0]))
    return L.emit("scan", [x], L.shape(x), dt, fn=kw.get("_fn", "cumsum"), dim=dim)


RULES["cumprod"] = lambda L, a, kw, val, dt: _scan(L, a, {**kw, "_fn": "cumprod"}, val, dt)


# ---------------------------------------------------------------------------- matmuls
@rule("mm", "bmm")
def _mm(L, a, kw, val, dt):
    return L.emit("mm", [a[0], a[1]], list(val.shape), dt)


@rule("addmm", "baddbmm")
def _addmm(L, a, kw, val, dt):
    beta, alpha = kw.get("beta", 1), kw.get("alpha", 1)
    y = L.emit("mm", [a[1], a[2]], list(val.shape), dt if alpha == 1 else "float32")
    if alpha != 1:
        y = L.ew("mul", y, alpha)
    bias = a[0] if beta == 1 else L.ew("mul", a[0], beta)
    return L.ew("add", y, bias, dtype=dt)


# ---------------------------------------------------------------------------- views
def view(L, name, a, val):
    x = a[0]
    info = L.info(x)
    if name in ("alias", "detach", "lift_fresh_copy"):
        return x
    params = {"t": lambda: [], "numpy_T": lambda: [], "transpose": lambda: a[1:3],
              "permute": lambda: [a[1]], "expand": lambda: [a[1]], "unsqueeze": lambda: [a[1]],
              "squeeze": lambda: a[1:2], "select": lambda: a[1:3], "slice": lambda: list(a[1:]),
              "narrow": lambda: list(a[1:])}.get(name, lambda: None)()
    call = {"numpy_T": "t"}.get(name, name)
    if params is None:  # every reshaping view becomes one reshape to the traced shape
        call, params = "reshape", [list(val.shape)]
    return L.emit("view", [x], list(val.shape), info["dtype"], stride=list(val.stride()),
                  call=call, params=params)

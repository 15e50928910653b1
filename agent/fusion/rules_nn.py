"""Lowering rules for normalizations, losses and gathers (see rules.py for the mechanism).

Each decomposes into reductions plus elementwise math so that, after fusion, a whole softmax,
layer norm or cross-entropy becomes one row kernel.
"""
from __future__ import annotations

from kopt.agent.fusion.lower import Unsupported
from kopt.agent.fusion.rules import RULES, _keep, out_dtype, rule


# ---------------------------------------------------------------------------- normalizations
def _softmax_parts(L, x, dim):
    m = L.reduce("max", x, [dim])
    xm = L.ew("sub", x, m)
    e = L.ew("exp", xm)
    return xm, e, L.reduce("sum", e, [dim])


@rule("_softmax", "softmax")
def _softmax(L, a, kw, val, dt):
    _, e, s = _softmax_parts(L, a[0], a[1])
    return L.ew("div", e, s, dtype=dt)


@rule("_log_softmax", "log_softmax")
def _log_softmax(L, a, kw, val, dt):
    xm, _, s = _softmax_parts(L, a[0], a[1])
    return L.ew("sub", xm, L.ew("log", s), dtype=dt)


def _normalize(L, x, dims, eps, center: bool):
    inv_n = L.inv_count(x, dims)
    mean = None
    if center:
        mean = L.ew("mul", L.reduce("sum", x, dims), inv_n)
        x = L.ew("sub", x, mean)
    var = L.ew("mul", L.reduce("sum", L.ew("square", x), dims), inv_n)
    rstd = L.ew("rsqrt", L.ew("add", var, float(eps)))
    return L.ew("mul", x, rstd), mean, rstd


@rule("native_layer_norm", "layer_norm")
def _layer_norm(L, a, kw, val, dt):
    x, nshape = a[0], a[1]
    w, b, eps = (list(a[2:]) + [None, None, 1e-5])[:3]
    rank = len(L.shape(x))
    dims = list(range(rank - len(nshape), rank))
    y, mean, rstd = _normalize(L, x, dims, eps, center=True)
    if w is not None:
        y = L.ew("mul", y, w)
    if b is not None:
        y = L.ew("add", y, b)
    y = L.ew("copy", y, dtype=out_dtype(val))
    return [y, mean, rstd] if isinstance(val, (tuple, list)) else y


@rule("rms_norm", "_fused_rms_norm")
def _rms_norm(L, a, kw, val, dt):
    x, nshape = a[0], a[1]
    w, eps = (list(a[2:]) + [None, None])[:2]
    if eps is None:
        eps = {"float16": 9.765625e-04, "bfloat16": 7.8125e-03}.get(L.info(x)["dtype"], 1.1920929e-07)
    rank = len(L.shape(x))
    y, _, rstd = _normalize(L, x, list(range(rank - len(nshape), rank)), eps, center=False)
    if w is not None:
        y = L.ew("mul", y, w)
    y = L.ew("copy", y, dtype=out_dtype(val))
    return [y, rstd] if isinstance(val, (tuple, list)) else y


def _channel(L, p, rank):
    """A per-channel [C] parameter as a [1, C, 1, ...] view that broadcasts over NCHW."""
    shape = [1, L.shape(p)[0]] + [1] * (rank - 2)
    return L.emit("view", [p], shape, L.info(p)["dtype"], call="reshape", params=[shape])


@rule("_native_batch_norm_legit_no_training", "native_batch_norm")
def _batch_norm(L, a, kw, val, dt):
    x, w, b, rm, rv = a[:5]
    if len(a) == 8 and a[5]:
        raise Unsupported("batch norm in training mode")
    eps = a[-1]
    rank = len(L.shape(x))
    y = L.ew("mul", L.ew("sub", x, _channel(L, rm, rank)),
             L.ew("rsqrt", L.ew("add", _channel(L, rv, rank), float(eps))))
    if w is not None:
        y = L.ew("mul", y, _channel(L, w, rank))
    if b is not None:
        y = L.ew("add", y, _channel(L, b, rank))
    return [L.ew("copy", y, dtype=out_dtype(val)), None, None]


# ---------------------------------------------------------------------------- losses and gathers
def _pick(L, x, dim, index):
    """x gathered at `index` (size 1 along `dim`): a masked sum over dim, so it fuses as a reduction."""
    hit = L.ew("eq", L.emit("iota", [], L.shape(x), "int64", dim=dim), index, dtype="bool")
    return L.reduce("sum", L.ew("where", hit, x, 0.0), [dim])


@rule("gather")
def _gather(L, a, kw, val, dt):
    x, dim, index = a[0], a[1] % len(L.shape(a[0])), a[2]
    xs, ix = L.shape(x), L.shape(index)
    if ix[dim] != 1 or [s for i, s in enumerate(ix) if i != dim] != [s for i, s in enumerate(xs) if i != dim]:
        raise Unsupported("a gather of more than one element per row")
    return L.ew("copy", _pick(L, x, dim, index), dtype=dt)


def _reduce_loss(L, loss, reduction, val, dt):
    if reduction == 0:
        return L.ew("copy", loss, dtype=dt)
    dims = list(range(len(L.shape(loss))))
    total = L.reduce("sum", loss, dims)
    if reduction == 1:
        total = L.ew("mul", total, L.inv_count(loss, dims))
    return _keep(L, L.ew("copy", total, dtype=dt), val)


@rule("smooth_l1_loss")
def _pointwise_loss(L, a, kw, val, dt):
    kind = kw.get("_kind", "smooth_l1")
    reduction = a[2] if len(a) > 2 else 1
    d = L.ew("sub", a[0], a[1])
    ad = L.ew("abs", d)
    if kind == "mse":
        loss = L.ew("square", d)
    elif kind == "l1":
        loss = ad
    else:
        beta = float(a[3] if len(a) > 3 else 1.0)
        if beta == 0:
            loss = ad
        else:
            # beta appears only as itself (never 0.5 * beta or 1 / beta), so when it is a constructor
            # argument the generated code reads it at run time; (2|d| - beta) * 0.5 is exactly
            # |d| - 0.5 * beta in floating point (scaling by 2 is exact).
            quad = L.ew("mul", L.ew("square", d), 0.5)
            if kind != "huber":
                quad = L.ew("div", quad, beta)
            lin = L.ew("mul", L.ew("sub", L.ew("mul", ad, 2.0), beta), 0.5)
            if kind == "huber":
                lin = L.ew("mul", lin, beta)
            loss = L.ew("where", L.ew("lt", ad, beta, dtype="bool"), quad, lin)
    return _reduce_loss(L, loss, reduction, val, dt)


RULES["huber_loss"] = lambda L, a, kw, val, dt: _pointwise_loss(L, a, {"_kind": "huber"}, val, dt)
RULES["mse_loss"] = lambda L, a, kw, val, dt: _pointwise_loss(L, a, {"_kind": "mse"}, val, dt)
RULES["l1_loss"] = lambda L, a, kw, val, dt: _pointwise_loss(L, a, {"_kind": "l1"}, val, dt)


@rule("nll_loss_forward", "nll_loss")
def _nll(L, a, kw, val, dt):
    logp, target = a[0], a[1]
    weight, reduction, ignore = (list(a[2:]) + [None, 1, -100])[:3]
    if weight is not None or len(L.shape(logp)) != 2:
        raise Unsupported("nll_loss with class weights or more than 2 dims")
    b = L.shape(target)[0]
    t = L.emit("view", [target], [b, 1], L.info(target)["dtype"], call="reshape", params=[[b, 1]])
    valid = L.ew("ne", t, ignore, dtype="bool")
    per_row = L.ew("where", valid, L.ew("neg", _pick(L, logp, 1, t)), 0.0)
    count = L.ew("copy", valid, dtype="float32")
    if reduction == 0:
        return [L.squeeze_to(L.ew("copy", per_row, dtype=dt), [b]), None]
    total = L.reduce("sum", per_row, [0, 1])
    weight_sum = L.reduce("sum", count, [0, 1])
    if reduction == 1:
        total = L.ew("div", total, weight_sum)
    return [L.squeeze_to(L.ew("copy", total, dtype=dt), []), L.squeeze_to(weight_sum, [])]

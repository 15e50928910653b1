"""make_fx of a model's forward, lowered to the primitive IR (one trace; capture.py runs several).

Parameters and buffers are traced as inputs through torch.func.functional_call, so each is known
by its attribute path (`ln.weight`) and the generated ModelNew reads the same tensor.
"""
from __future__ import annotations

import inspect
import operator

import torch
from torch.fx.experimental.proxy_tensor import make_fx

from kopt.agent.fusion.lower import Lowerer, Unsupported, dtype_name
from kopt.agent.fusion.rules import lower_node


def capture(model, inputs) -> dict:
    params = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    names = list(inspect.signature(model.forward).parameters)
    if any(not isinstance(x, torch.Tensor) for x in inputs):
        raise Unsupported("forward takes non-tensor inputs")

    def f(p, b, *args):
        return torch.func.functional_call(model, (p, b), args)

    with torch.no_grad():
        gm = make_fx(f, tracing_mode="real")(params, buffers, *inputs)
        returns_tuple = isinstance(model(*inputs), (tuple, list))

    L = Lowerer()
    leaves = [("param", k, v) for k, v in params.items()] + [("buffer", k, v) for k, v in buffers.items()]
    leaves += [("input", names[i] if i < len(names) else f"arg{i}", x) for i, x in enumerate(inputs)]
    placeholders = [n for n in gm.graph.nodes if n.op == "placeholder"]
    graph_inputs = []
    for node, (kind, name, t) in zip(placeholders, leaves):
        ref = L.emit(kind, [], t.shape, dtype_name(t.dtype), stride=t.stride(), name=name)
        L.env[node] = ref
        graph_inputs.append(ref)

    unsupported: list[str] = []
    for node in gm.graph.nodes:
        if node.op == "get_attr":
            raise Unsupported("the forward creates tensor constants")
        if node.op != "call_function":
            continue
        val = node.meta.get("val")
        if node.target is operator.getitem:
            src = L.env[node.args[0]]
            L.env[node] = src[node.args[1]] if isinstance(src, list) else \
                L.emit("getitem", [src, node.args[1]], val.shape, dtype_name(val.dtype), stride=val.stride())
            continue
        args = [L.arg(a) for a in node.args]
        kwargs = {k: L.arg(v) for k, v in node.kwargs.items()}
        try:
            L.env[node] = lower_node(L, node, args, kwargs, val)
        except Unsupported as e:
            L.env[node] = _torch_node(L, node, args, kwargs, val)
            unsupported.append(f"{node.target}: {e}")

    out = next(n for n in gm.graph.nodes if n.op == "output").args[0]
    single = not isinstance(out, (list, tuple)) or (len(out) == 1 and not returns_tuple)
    outs = [out] if not isinstance(out, (list, tuple)) else list(out)
    out_refs = [L.arg(o) for o in outs]
    nodes = _live(L.nodes, out_refs)
    return {"inputs": graph_inputs, "nodes": nodes, "outputs": out_refs, "single_output": single,
            "unsupported": unsupported, "forward_args": names}


def _torch_node(L: Lowerer, node, args, kwargs, val):
    """An op kept in PyTorch: the generated forward calls the same ATen overload."""
    target = str(node.target)
    if isinstance(val, (tuple, list)):
        ref = L.emit("torch", args, [], "tuple", target=target, kwargs=kwargs)
        return [L.emit("getitem", [ref, i], v.shape, dtype_name(v.dtype), stride=v.stride())
                if isinstance(v, torch.Tensor) else None for i, v in enumerate(val)]
    if not isinstance(val, torch.Tensor):
        raise Unsupported(f"{target} returns a {type(val).__name__}")
    return L.emit("torch", args, val.shape, dtype_name(val.dtype), stride=val.stride(),
                  target=target, kwargs=kwargs)


def _refs(obj):
    if isinstance(obj, str) and obj.startswith("v"):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for x in obj:
            yield from _refs(x)
    elif isinstance(obj, dict):
        for x in obj.values():
            yield from _refs(x)


def _live(nodes: list[dict], outputs: list) -> list[dict]:
    """Drop nodes nothing reaches (a decomposition's unused outputs, dead ATen results)."""
    by_id = {n["id"]: n for n in nodes}
    keep, stack = set(), list(_refs(outputs))
    while stack:
        r = stack.pop()
        if r in keep or r not in by_id:
            continue
        keep.add(r)
        n = by_id[r]
        stack.extend(_refs(n["args"]))
        stack.extend(_refs(n.get("kwargs", {})))
    return [n for n in nodes if n["id"] in keep or n["op"] in ("input", "param", "buffer")]



"""Capture a problem's forward as primitive IR. Run as `python -m kopt.agent.fusion.capture`.

This is the only stage that imports torch and executes the problem file, so it runs in a child
process (kopt.agent.fusion.ir.capture starts it, under an address-space limit and a timeout): the
optimizer process stays torch-free and a problem that hangs or crashes costs a clear error.

The first trace is at the judged configuration, chosen by kopt.tools.judged exactly as the judge
chooses it (CPU_SIZES, or sizes capped for big foreign problems), so every recorded shape is one the
judge checks. Then the same forward is traced at up to two other configurations (other sizes, other
scalar constructor arguments, and every float attribute of every submodule scaled by a factor of
its own): the constants that move between the traces are sizes and arguments, and
kopt.agent.fusion.generic turns them into expressions read at run time. A configuration whose graph
differs in structure (the forward branches on a size) is replaced by the next one tried.

Parameters are traced as inputs through torch.func.functional_call, so each is known by its
attribute path (`ln.weight`) and the generated ModelNew reads the same parameter.
"""
from __future__ import annotations

import json
import random
import sys

import torch

from kopt.agent.fusion.generic import misaligned
from kopt.agent.fusion.lower import Unsupported
from kopt.agent.fusion.trace import capture

EXTRA = 2            # other configurations wanted
ATTEMPTS = 6         # tries per configuration before giving up on it


def build(module, device: str):
    torch.manual_seed(0)
    init = list(module.get_init_inputs())
    torch.manual_seed(0)
    # Traced in the mode the problem constructs it in (the judge checks that mode): a model left in
    # training mode with a batch norm updates running statistics in place, which no generated
    # kernel does, and its dropout is random.
    model = module.Model(*init).to(device)
    if model.training:
        stateful = [type(m).__name__ for m in model.modules()
                    if (isinstance(m, torch.nn.modules.batchnorm._NormBase) and m.track_running_stats)
                    or (isinstance(m, torch.nn.modules.dropout._DropoutNd) and m.p > 0)]
        if stateful:
            raise Unsupported(f"the model is in training mode with {stateful[0]} (batch statistics and running "
                              "averages updated in place, or random dropout), which the compiler does not "
                              "generate; a problem meant for inference calls self.eval() in __init__")
    torch.manual_seed(1)
    inputs = [x.to(device) if isinstance(x, torch.Tensor) else x for x in module.get_inputs()]
    return model, inputs, init


def attr_path(module_name: str, key: str) -> str | None:
    """`self.`-relative Python for a submodule attribute: layers.0.eps -> layers[0].eps."""
    out = ""
    for part in (module_name.split(".") if module_name else []) + [key]:
        if part.isdigit():
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            return None
    return out.lstrip(".")


def scalar_attrs(model) -> dict:
    """path -> value of every int/float attribute of every submodule (tuples element-wise)."""
    out = {}
    for mname, m in model.named_modules():
        for k, v in vars(m).items():
            path = attr_path(mname, k)
            if k.startswith("_") or k == "training" or path is None:
                continue
            if type(v) in (int, float):
                out[path] = v
            elif isinstance(v, (tuple, list)) and 0 < len(v) <= 8 and all(type(e) in (int, float) for e in v):
                out.update({f"{path}[{i}]": e for i, e in enumerate(v)})
    return out


def tag_floats(model, salt: int) -> None:
    """Scale each float attribute by a factor of its own (below 1, so probabilities stay valid):
    a traced constant that moves with one factor is that attribute."""
    i = 0
    for _, m in model.named_modules():
        for k, v in list(vars(m).items()):
            if type(v) is float and v != 0.0 and not k.startswith("_"):
                i += 1
                setattr(m, k, v * (1.0 - (0.0031 + 0.0023 * salt) * i))


def _json_safe(x):
    try:
        json.dumps(x)
        return x
    except (TypeError, ValueError):
        return None


def trace_at(path: str, source: str, device: str, tag: int | None):
    from kopt.tools import loader
    module = loader.exec_module(path, source)
    model, inputs, init = build(module, device)
    if tag is not None:
        tag_floats(model, tag)
    graph = capture(model, inputs)
    graph["attrs"] = scalar_attrs(model)
    graph["init_args"] = _json_safe(init)
    graph["globals"] = {k: v for k, v in vars(module).items()
                        if type(v) in (int, float) and not k.startswith("_") and k.isidentifier()}
    return graph


def split_literals(symbols):
    """A size literal written twice (`randn(128, 128)`) as one symbol per position, so the traces
    can tell the two dims apart; the judge moves them together, a user may not."""
    from dataclasses import replace
    out = []
    for s in symbols:
        if len(s.spans) > 1 and s.name is None:
            out += [replace(s, key=f"{s.key}#{i}", spans=[sp]) for i, sp in enumerate(s.spans)]
        else:
            out.append(s)
    return out


def other_configs(path: str, device: str, source: str, cfg, base_graph: dict, notes: list):
    """Up to EXTRA graphs at other configurations, each aligned with base_graph node for node."""
    from kopt.tools import sizing
    symbols = cfg.symbols
    split = split_literals(symbols)
    base = dict(cfg.values)
    split_base = {s.key: base.get(s.key.split("#")[0], s.value) for s in split}
    rng = random.Random(20240611)
    out = []
    # Both other configurations are smaller than the judged one: the trace runs the forward for
    # real, and on a foreign problem judged as written that is already the full size.
    for k in range(EXTRA):
        larger = False
        # Plans in order: sizes and arguments moved (first with a repeated literal split in two),
        # then the same without tagged attributes (a forward that branches on one), then only the
        # attributes tagged (every size fixed: a file generic in its arguments only).
        plans = []
        for attempt in range(ATTEMPTS if symbols else 0):
            syms, b = (split, split_base) if attempt == 0 and len(split) > len(symbols) else (symbols, base)
            values, _ = sizing.propose(syms, b, rng, max(0, attempt - 1), larger)
            tag = k + 1 if attempt < ATTEMPTS - 1 else None
            # Sizes of 2 (a CPU batch) move too where the problem allows it, so the file need not pin them.
            small = {s.key: 3 + k for s in syms
                     if s.kind == "size" and b.get(s.key, s.value) == 2 and s.key not in values}
            if small:
                plans.append((syms, {**b, **values, **small}, tag))
            plans.append((syms, {**b, **values}, tag))
        plans.append((symbols, base, k + 1))
        for syms, values, tag in plans:
            try:
                g = trace_at(path, sizing.apply(source, syms, values), device, tag)
            except Exception as e:  # noqa: BLE001 - the problem does not run there: the next plan
                notes.append(f"{type(e).__name__}: {str(e)[:120]}")
                continue
            why = misaligned(base_graph, g)
            if why is None:
                out.append(g)
                break
            notes.append(why)
    return out


def main(argv=None) -> int:
    """`capture PROBLEM [DEVICE [SIZES]]`: one JSON line. `capture --many DEVICE SIZES P1 P2 ...`:
    one line per problem (the tests capture the whole suite in one process: torch imports once)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--many":
        for path in argv[3:]:
            sys.stdout.write("\n" + json.dumps({"path": path, **one(path, argv[1], argv[2])}) + "\n")
            sys.stdout.flush()
        return 0
    path, device = argv[0], (argv[1] if len(argv) > 1 else "cpu")
    sys.stdout.write("\n" + json.dumps(one(path, device, argv[2] if len(argv) > 2 else "auto")) + "\n")
    return 0


def one(path: str, device: str, mode: str) -> dict:
    from kopt.tools.judged import judged_config
    try:
        module, cfg = judged_config(path, device, mode)
        graph = trace_at(path, cfg.source, device, None)
        notes: list[str] = []
        graph["extra"] = other_configs(path, device, open(path).read(), cfg, graph, notes)
        graph["extra_notes"] = notes[-4:]
        graph["config"] = {"note": cfg.note, "values": cfg.values}
    except Unsupported as e:
        graph = {"error": f"cannot capture the forward: {e}"}
    except MemoryError:
        graph = {"error": "tracing the forward ran out of memory (the capture's address-space limit); "
                          "give the problem smaller CPU_SIZES"}
    except Exception as e:  # the problem's own failure, reported as one paragraph
        graph = {"error": f"tracing the forward failed: {type(e).__name__}: {str(e)[:400]}{_limit_note(e)}"}
    return graph


def _limit_note(e: Exception) -> str:
    import resource
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    if "allocate" not in str(e) or limit == resource.RLIM_INFINITY:
        return ""
    return (f" (the capture runs under a {limit / (1 << 30):g} GB address-space limit, like the judge's "
            "workers: give the problem smaller CPU_SIZES)")


if __name__ == "__main__":
    raise SystemExit(main())

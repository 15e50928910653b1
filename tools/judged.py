"""Load a problem at a configuration, in a process that has torch (a worker, the compiler's capture,
the FLOP counter). The policy itself (what is judged, what is tried) is kopt.tools.sizing.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from kopt.tools import loader, sizing


# A capped problem whose one reference forward takes longer than this is capped further.
MAX_FORWARD_S = 2.0


class UnusableOnCPU(Exception):
    """The problem cannot run on the CPU at any size kopt can choose; the message says what to set."""


@dataclass
class Config:
    source: str                                   # the problem file at this configuration
    values: dict = field(default_factory=dict)    # symbol key -> value, for the symbols changed
    note: str = "as written"                      # "CPU_SIZES", "auto-capped to 64", "as written", ...
    symbols: list = field(default_factory=list)

    def sizes(self) -> dict:
        """{label: [as written, now]} of the changed symbols (the verdict's `sizes.changed`)."""
        return {s.label: [s.value, self.values[s.key]] for s in self.symbols if s.key in self.values}


def numel_on_meta(module) -> int | None:
    """Elements of the inputs, the parameters and one output, counted without allocating anything
    big: a guarded real run where that is cheap (_numel_guarded), else the meta device."""
    n = _numel_guarded(module)
    return n if n is not None else _numel_meta(module)


def _numel_meta(module) -> int | None:
    import torch
    from kopt.tools.compare import tensors
    try:
        with torch.device("meta"):
            torch.manual_seed(0)
            inputs = list(module.get_inputs())
            model = module.Model(*module.get_init_inputs())
            n = sum(t.numel() for t in inputs if isinstance(t, torch.Tensor))
            n += sum(p.numel() for p in model.parameters()) + sum(b.numel() for b in model.buffers())
            try:
                with torch.no_grad():
                    out = model(*inputs)
                n += sum(t.numel() for t in tensors(out))
            except Exception:  # noqa: BLE001 - an op without a meta kernel: inputs and weights still count
                pass
            return n
    except Exception:  # noqa: BLE001 - cannot tell on meta
        return None


# Factories whose size is known before they allocate: a request above the budget stops the
# guarded run before anything big exists.
_FACTORIES = {"randn", "rand", "randint", "zeros", "ones", "empty", "full", "normal", "arange", "linspace",
              "logspace", "eye", "randperm", "empty_strided", "new_empty", "new_zeros", "new_ones", "new_full",
              "tensor", "as_tensor"}


class _TooBig(Exception):
    pass


class _Slow(Exception):
    pass


def _requested(args, kwargs) -> int:
    """Elements a factory call asks for, over-estimated (a product of every int it is given)."""
    import math
    dims = [a for a in list(args) + [kwargs.get("size")] if isinstance(a, (tuple, list)) and
            all(isinstance(x, int) for x in a)]
    if dims:
        return max(math.prod(d) for d in dims)
    ints = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    return math.prod(abs(x) for x in ints) if ints else 0


_PRODUCTS = {"matmul", "mm", "bmm", "__matmul__", "__rmatmul__", "addmm", "baddbmm", "linear", "outer", "ger"}


def _product_numel(func, args) -> int:
    """Elements of a matmul-like result, from its operands' shapes (a tall-skinny product has a
    result far bigger than its inputs)."""
    import math
    ts = [a for a in args if hasattr(a, "shape")]
    name = getattr(func, "__name__", "")
    if name in ("addmm", "baddbmm") and len(ts) >= 3:
        ts = ts[1:]
    if len(ts) < 2:
        return 0
    a, b = ts[0].shape, ts[1].shape
    if name in ("outer", "ger"):
        return math.prod(a) * math.prod(b)
    if name == "linear":
        return math.prod(a[:-1]) * (b[0] if len(b) == 2 else 1)
    if len(a) >= 2 and len(b) >= 2:
        return math.prod(max(x, y) for x, y in zip(a[:-2], b[:-2])) * math.prod(a[len(b) - 2:-2] or [1]) * a[-2] * b[-1]
    return 0


def _broadcast_numel(args) -> int:
    import math
    shapes = [tuple(a.shape) for a in args if hasattr(a, "shape") and hasattr(a, "dim")]
    if len(shapes) < 2 or len(set(shapes)) == 1:
        return 0
    n = max(len(x) for x in shapes)
    padded = [(1,) * (n - len(x)) + x for x in shapes]
    return math.prod(max(d) for d in zip(*padded))


def _numel_guarded(module) -> int | None:
    """The same count from a real run on the CPU, stopped (None) before a factory allocates more
    than the budget or once the run's tensors add up to several budgets. The meta device costs a
    second or more per process (its Python kernels import torch._dynamo on first use); problems
    small enough to judge as written never need it."""
    import torch
    from torch.overrides import TorchFunctionMode
    from kopt.tools.compare import tensors
    budget = sizing.BIG_NUMEL
    start = time.perf_counter()

    class Guard(TorchFunctionMode):
        made = 0

        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            name = getattr(func, "__name__", "")
            if name in _FACTORIES and _requested(args, kwargs) > budget:
                raise _TooBig
            if (_product_numel(func, args) if name in _PRODUCTS else _broadcast_numel(args)) > 8 * budget:
                raise _TooBig
            if time.perf_counter() - start > 1.0:  # slow here: not worth more than the meta count costs
                raise _Slow
            out = func(*args, **kwargs)
            Guard.made += sum(t.numel() for t in tensors(out)) if isinstance(out, (torch.Tensor, tuple, list)) else 0
            if Guard.made > 8 * budget:
                raise _TooBig
            return out

    try:
        with Guard():
            torch.manual_seed(0)
            inputs = list(module.get_inputs())
            model = module.Model(*module.get_init_inputs())
            n = sum(t.numel() for t in inputs if isinstance(t, torch.Tensor))
            n += sum(p.numel() for p in model.parameters()) + sum(b.numel() for b in model.buffers())
            if n > budget:
                return n
            with torch.no_grad():
                out = model(*inputs)
            return n + sum(t.numel() for t in tensors(out))
    except _TooBig:
        return budget + 1
    except BaseException as e:  # noqa: BLE001 - a problem that fails here: the meta count decides
        if isinstance(e, KeyboardInterrupt):
            raise
        return None


def runs(module) -> str | None:
    """None if the problem constructs and runs one forward; else why not (one line)."""
    import torch
    try:
        torch.manual_seed(0)
        model = module.Model(*module.get_init_inputs())
        with torch.no_grad():
            model(*module.get_inputs())
        return None
    except BaseException as e:  # noqa: BLE001 - any failure means "not at these sizes"
        if isinstance(e, KeyboardInterrupt):
            raise
        return f"{type(e).__name__}: {str(e)[:200]}"


def judged_config(path: str, device: str, mode: str = "auto") -> tuple[object, Config]:
    """(module, Config) of the judged configuration: see kopt.tools.sizing for the policy."""
    source = open(path).read()
    symbols = sizing.scan(source)
    cfg = Config(source, {}, "as written", symbols)
    if device != "cpu" or mode != "auto":
        return loader.exec_module(path, source), cfg
    info = loader.inspect_file(path, "problem")
    if info.cpu_sizes:
        values = sizing.cpu_sizes_values(symbols, info.cpu_sizes)
        cfg = Config(sizing.apply(source, symbols, values), values, "CPU_SIZES", symbols)
        return loader.exec_module(path, cfg.source), cfg
    module = loader.exec_module(path, source)
    numel = numel_on_meta(module)
    if numel is not None and numel <= sizing.BIG_NUMEL:
        return module, cfg
    # Too big for the interpreter (or cannot tell): cap every size, at 64 first and lower while the
    # tensors still exceed the budget or one forward takes too long; keep the first that runs.
    # If no cap runs (sizes that must keep a ratio, like a LayerNorm over channels == 2 * width),
    # every size is divided by the same power of two instead.
    tries = [(sizing.capped_values(symbols, c), f"auto-capped to {c}") for c in sizing.CAPS]
    tries += [(sizing.scaled_values(symbols, d), f"auto-scaled by 1/{d}") for d in sizing.SCALES]
    why, first_error = "no size to shrink", None
    for i, (values, note) in enumerate(tries):
        if not values:
            continue
        small = sizing.apply(source, symbols, values)
        shrunk = loader.exec_module(path, small)
        n = numel_on_meta(shrunk)
        if n is not None and n > sizing.BIG_NUMEL and i != len(tries) - 1:
            continue
        t = time.perf_counter()
        why = runs(shrunk)
        if why is None and time.perf_counter() - t <= MAX_FORWARD_S:
            return shrunk, Config(small, values, note, symbols)
        why = why or f"one forward takes {time.perf_counter() - t:.1f} s when {note}"
        first_error = first_error or why
    cfg.note = f"as written (smaller sizes do not run: {first_error or why})"
    return module, cfg


def unusable_message(path: str, cfg: Config, why: str) -> str:
    return (f"unusable on CPU: {path} does not run here at {cfg.note} ({why}). Give it smaller CPU sizes with a "
            "top-level CPU_SIZES = {\"name\": value, ...} dict (KernelBench ignores it), raise the worker's "
            "memory limit with --memory-gb, or check it on a GPU (--device cuda).")

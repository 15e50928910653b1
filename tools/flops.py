"""Counting a problem's work: FLOPs and compulsory bytes of one forward. Runs in a worker (imports
torch and executes the problem file), never in the judge.

Where: on the `meta` device at the sizes as written (the GPU sizes), so nothing is allocated or
computed; a problem whose forward cannot run on meta (data-dependent Python, `.item()`) is
counted on the CPU at its CPU sizes instead, and the result says so.

FLOP model (stated in every result as `model`):
* matmul-class ops (mm, addmm, bmm, baddbmm, convolution, attention, `_scaled_mm`): exactly what
  torch.utils.flop_counter.FlopCounterMode counts (2 per multiply-add; a fused bias is not
  counted), split by input dtype because each dtype has its own tensor-core peak;
* data movement (views, copies, cat, indexing, allocation): 0;
* fused ops by their usual decomposition, per input element: softmax and log_softmax 5
  (max, subtract, exp, sum, divide/log), layer/group/batch norm 5 plus 1 each for weight and
  bias, var/std 3, logsumexp 3, addcmul/addcdiv/lerp 2; pooling: the window size per output
  element;
* every other op: 1 per element of the largest floating tensor it reads or writes (so an
  elementwise op costs one per output element and a reduction one per input element;
  exp, tanh, erf count as one each though the hardware needs several instructions).

Compulsory bytes: every input, parameter, buffer and output moved once (each distinct tensor
counted once). Intermediates are not counted: a fully fused kernel never writes them.
"""
from __future__ import annotations

from kopt.tools.compare import tensors as _tensors

MODEL = ("matmul/conv/attention: torch FlopCounterMode; elementwise and reductions: 1 FLOP per element "
         "of the largest tensor an op touches; softmax/log_softmax 5, norms 5 (+1 weight, +1 bias), var/std/"
         "logsumexp 3 per input element; views and copies 0. Bytes: inputs + parameters + buffers + outputs, once.")

_MOVEMENT = frozenset((
    "view", "_unsafe_view", "reshape", "_reshape_alias", "expand", "permute", "transpose", "t", "slice",
    "select", "unsqueeze", "squeeze", "flatten", "unflatten", "unbind", "split", "split_with_sizes", "chunk",
    "narrow", "alias", "detach", "lift_fresh", "as_strided", "clone", "copy", "_to_copy", "contiguous",
    "empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided", "zeros", "zeros_like", "ones",
    "ones_like", "full", "full_like", "new_zeros", "new_ones", "new_full", "fill", "arange", "cat", "stack",
    "index", "index_select", "gather", "scatter", "embedding", "repeat", "roll", "flip", "constant_pad_nd",
    "pad", "_unsafe_index", "index_put", "masked_select", "diagonal", "tril", "triu", "movedim", "view_as",
    "pixel_shuffle", "channel_shuffle", "split_copy", "unfold", "im2col", "col2im", "_local_scalar_dense",
    "randn", "rand", "randint", "normal", "uniform", "bernoulli", "randperm", "set_", "resize_",
))
_PER_INPUT = {"_softmax": 5, "_log_softmax": 5, "softmax": 5, "log_softmax": 5, "var": 3, "std": 3,
              "var_mean": 3, "std_mean": 3, "logsumexp": 3, "addcmul": 2, "addcdiv": 2, "lerp": 2}
_NORMS = {"native_layer_norm": (2, 3), "native_group_norm": (1, 2), "native_batch_norm": (1, 2),
          "_native_batch_norm_legit": (1, 2), "_native_batch_norm_legit_no_training": (1, 2)}  # weight, bias arg index
_POOLS = ("max_pool1d", "max_pool2d", "max_pool3d", "max_pool2d_with_indices", "max_pool3d_with_indices",
          "avg_pool1d", "avg_pool2d", "avg_pool3d")


def _nbytes(t) -> int:
    return t.numel() * t.element_size()


class _Counter:
    """Accumulates FLOPs per op name and matmul FLOPs per dtype."""

    def __init__(self):
        self.by_op: dict[str, int] = {}
        self.matmul_by_dtype: dict[str, int] = {}
        self.default_ops: set[str] = set()

    def add(self, func, args, kwargs, out):
        from torch.utils.flop_counter import flop_registry
        packet = func.overloadpacket
        name = packet.__name__.rstrip("_") or packet.__name__
        if packet in flop_registry:
            n = int(flop_registry[packet](*args, **kwargs, out_val=out))
            first = next(_tensors(args), None)
            dtype = str(first.dtype).replace("torch.", "") if first is not None else "float32"
            self.matmul_by_dtype[dtype] = self.matmul_by_dtype.get(dtype, 0) + n
        else:
            n = self._elementwise(name, args, kwargs, out)
        if n:
            self.by_op[name] = self.by_op.get(name, 0) + n

    def _elementwise(self, name, args, kwargs, out) -> int:
        if name in _MOVEMENT:
            return 0
        ins = [t for t in _tensors(args) if t.is_floating_point()]
        outs = [t for t in _tensors(out) if t.is_floating_point()]
        if not ins and not outs:
            return 0  # integer/bool bookkeeping (masks, indices)
        biggest_in = max((t.numel() for t in ins), default=0)
        if name in _PER_INPUT:
            return _PER_INPUT[name] * biggest_in
        if name in _NORMS:
            w, b = _NORMS[name]
            affine = sum(1 for i in (w, b) if len(args) > i and args[i] is not None)
            return (5 + affine) * biggest_in
        if name in _POOLS:
            ks = args[1] if len(args) > 1 else kwargs.get("kernel_size", 1)
            window = 1
            for k in (ks if isinstance(ks, (list, tuple)) else [ks]):
                window *= int(k)
            return window * (outs[0].numel() if outs else 0)
        self.default_ops.add(name)
        return max(biggest_in, max((t.numel() for t in outs), default=0))


def count_module(model, inputs) -> dict:
    """FLOPs and bytes of `model(*inputs)`, under no_grad (as the judge runs it)."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils.flop_counter import FlopCounterMode

    counter = _Counter()

    class _Mode(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            counter.add(func, args, kwargs, out)
            return out

    with torch.no_grad(), FlopCounterMode(display=False) as fcm, _Mode():
        out = model(*inputs)
    matmul = int(fcm.get_total_flops())
    mine = sum(counter.matmul_by_dtype.values())
    if matmul != mine:  # FlopCounterMode is the reference; keep our dtype split, its total
        top = max(counter.matmul_by_dtype, key=counter.matmul_by_dtype.get, default="float32")
        counter.matmul_by_dtype[top] = counter.matmul_by_dtype.get(top, 0) + matmul - mine
    other = sum(n for op, n in counter.by_op.items()) - mine
    seen: set[int] = set()

    def total(ts) -> int:
        n = 0
        for t in ts:
            if id(t) not in seen:
                seen.add(id(t))
                n += _nbytes(t)
        return n

    b_in = total(_tensors(list(inputs)))
    b_par = total(list(model.parameters()) + list(model.buffers()))
    b_out = total(_tensors(out))
    dtypes = sorted({str(t.dtype).replace("torch.", "") for t in _tensors(list(inputs)) if t.is_floating_point()})
    return {"flops": matmul + other, "matmul_flops": matmul, "other_flops": other,
            "matmul_flops_by_dtype": counter.matmul_by_dtype, "flops_by_op": counter.by_op,
            "default_rule_ops": sorted(counter.default_ops),
            "bytes": b_in + b_par + b_out, "bytes_inputs": b_in, "bytes_params": b_par, "bytes_outputs": b_out,
            "input_dtypes": dtypes, "model": MODEL}


def count_problem(path: str) -> dict:
    """Count a problem file's forward: on meta at the sizes as written, else on CPU at CPU sizes."""
    import torch
    from kopt.tools import loader

    source = open(path).read()
    meta_error = None
    try:
        module = loader.exec_module(path, source)
        with torch.device("meta"):
            torch.manual_seed(0)
            model = module.Model(*module.get_init_inputs())
            inputs = list(module.get_inputs())
        if not all(t.is_meta for t in _tensors(inputs)):
            raise RuntimeError("get_inputs() made tensors on a real device")
        return {**count_module(model, inputs), "counted_on": "meta", "sizes": "as written"}
    except Exception as e:  # noqa: BLE001 - counting falls back, the reason is reported
        meta_error = f"{type(e).__name__}: {str(e)[:300]}"
    # The same CPU sizes the judge checks at (kopt.tools.sizing is the one policy for them).
    from kopt.tools.judged import judged_config
    module, cfg = judged_config(path, "cpu", "auto")
    sizes = cfg.note
    torch.manual_seed(0)
    model = module.Model(*module.get_init_inputs())
    result = count_module(model, list(module.get_inputs()))
    return {**result, "counted_on": "cpu", "sizes": sizes, "meta_error": meta_error}

"""What the reference worker varies beyond `get_inputs()` and the seeded constructor.

Input probes: inputs from outside get_inputs()'s distribution where a correct kernel must still be
right. Each one targets a shortcut seen in kernels that pass on unit-scale random data:
  * "large": every float input scaled up (1024x; 256x for half types), so a softmax without its max
    subtraction, or with a max taken from part of the row, or an fp16 accumulator or square
    overflows; where the reference itself overflows, 8x less, then 64x less;
  * "zero rows": the first leading slice and every third row along the last dim set to zero, so a
    norm without its eps divides by zero;
  * "negative": every float input made strictly negative and moved 48 RMS below zero (4 for half
    types), so a max whose accumulator starts at 0, a kernel that assumes signs or a one-pass
    variance is wrong;
  * "zero rows, negative": both at once, in one call (the two shortcuts are independent and each
    shows on its own rows). The judge uses it and falls back to the two parts separately when the
    reference is not finite on it (a log of its input, say);
  * "cancelling" (half-precision inputs only): +16 added to the first half of every row and -16 to
    the second, so partial sums grow large and then cancel. A sum, mean or dot whose partials are
    accumulated in float16/bfloat16 loses the answer, while unit-scale data (and the "large" probe,
    which keeps relative errors as they are) hides the error under the fp16 tolerance. It is
    skipped where the reference's own result moves beyond tolerance when run in float32.
A probe on which the reference itself is not finite (where plain inputs are) is skipped: it is no
test of the candidate. Integer and boolean inputs are never changed (they are indices and masks).

Checkpoints: new parameter and buffer values, as a user's trained checkpoint brings, loaded with
load_state_dict(assign=True) (the tensors are replaced, as meta-device and low-memory loading do, so a
view of a parameter kept since __init__ goes stale), and new hyperparameters for the reference's
standard submodules (a norm's eps, batch norm's momentum, a LeakyReLU's slope: HYPER), set in both
models wherever ModelNew has the same submodule, as a fine-tuning recipe sets them. Random weights
move by a quarter of their spread, constant ones (a LayerNorm's weight of 1 and bias of 0) get
noise, non-negative ones (variances, scales) stay non-negative, integer buffers stay. The
candidate receives them through load_state_dict, as a user would load them, so a kernel that
ignores an affine or copied a weight in __init__ is wrong from here on.
"""
from __future__ import annotations

ZERO_NEGATIVE = "zero rows, negative"
CANCELLING = "cancelling"
GENERAL_PROBES = ("large", ZERO_NEGATIVE)
PROBES = GENERAL_PROBES + (CANCELLING,)
HALF_ONLY = (CANCELLING,)
PARTS = {ZERO_NEGATIVE: ("zero rows", "negative")}
# Not a probe of values: the same values in another layout (rows padded, a storage offset).
LAYOUT = "other layout"
# Both in one call (trial 2): a layout shortcut shows on any values, a missing eps on zero rows in
# any layout, so one interpreted call covers the two.
LAYOUT_ZERO_NEGATIVE = f"{LAYOUT}, {ZERO_NEGATIVE}"
# Columns first: the last two dims transposed in memory with a padded leading dimension (a 1-D
# input every other element), as `x.t()` or a slice of a wider buffer arrives from a user's code.
# Unlike padded rows, the inner stride is not 1, so a kernel that takes `stride(0)` but assumes
# unit steps along a row is wrong here; an honest one calls `.contiguous()` or uses every stride.
# COLUMNS_STRIDED is the same with every other element along a column too (no stride is 1). The
# first unseen configuration gets the strided one, the second the plain one, each combined with
# that call's probe ("columns first, large"), so neither costs a call of its own: "row-major or
# dense column-major" and "one of the strides is 1" are told apart by different layouts.
COLUMNS = "columns first"
COLUMNS_STRIDED = "strided columns first"


def probe(inputs: list, kind: str, scale_down: int = 0) -> list:
    """A probed copy of `inputs` (layouts kept); `scale_down` weakens "large" after an overflow."""
    import torch
    for prefix, step in ((COLUMNS_STRIDED, 2), (COLUMNS, 1)):
        if kind.startswith(prefix):
            rest = kind[len(prefix):].lstrip(", ")
            return [columns_first(x, step) for x in (probe(inputs, rest, scale_down) if rest else inputs)]
    if kind == LAYOUT:
        return [restride(x) for x in inputs]
    if kind == LAYOUT_ZERO_NEGATIVE:
        return [restride(x) for x in probe(inputs, ZERO_NEGATIVE)]
    out = []
    for x in inputs:
        if not (isinstance(x, torch.Tensor) and x.is_floating_point()):
            out.append(x)
            continue
        from kopt.sandbox.inputs import alloc_like
        y = alloc_like(x)  # same layout as the plain input
        y.copy_(x)
        with torch.no_grad():
            if kind == CANCELLING:
                if x.dtype in (torch.float16, torch.bfloat16) and x.dim() and x.shape[-1] >= 2:
                    n = x.shape[-1]
                    sign = torch.zeros(n, dtype=x.dtype, device=x.device)
                    sign[: n // 2], sign[n - n // 2:] = 16.0, -16.0  # an odd middle element keeps 0
                    y.add_(sign)
            if kind in ("negative", ZERO_NEGATIVE):
                # Far below zero for full-precision inputs (48 RMS), as un-centred activations
                # are: a variance taken as E[x^2] - E[x]^2 loses the answer there. Not further:
                # at 128 RMS an honest two-pass float32 layer norm is off by 1.2e-4, beyond the
                # 1e-4 tolerance. Half inputs go 4 RMS down, inside what their precision represents.
                rms = float(x.detach().float().pow(2).mean().sqrt()) or 1.0
                shift = (4.0 if x.dtype in (torch.float16, torch.bfloat16) else 48.0) * rms
                y.abs_().neg_().sub_(0.05 * rms + shift)
            if kind == "large":
                # 256x for half inputs: squares of such values overflow float16 (a sum of
                # squares formed in half precision is inf), while the reference stays finite.
                big = (256.0 if x.dtype in (torch.float16, torch.bfloat16) else 1024.0) / (8.0 ** scale_down)
                y.mul_(big)
            elif kind in ("zero rows", ZERO_NEGATIVE):
                mask = torch.ones(x.shape, dtype=x.dtype, device=x.device)
                if x.dim() >= 2:
                    mask[0] = 0
                    mask.view(-1, x.shape[-1])[1::3] = 0
                elif x.numel():
                    mask[: max(1, x.numel() // 3)] = 0
                y.mul_(mask)
        out.append(y)
    return out


def restride(x, pad: int = 3, offset: int = 5):
    """x's values in another layout: rows padded by `pad` elements and the storage starting
    `offset` elements in, the way a slice of a larger tensor is laid out. A kernel that assumes
    contiguous rows or a zero storage offset reads the wrong elements."""
    import torch
    if not isinstance(x, torch.Tensor) or x.dim() == 0 or x.numel() == 0:
        return x
    shape = list(x.shape)
    strides = [1] * len(shape)
    acc = shape[-1] + (pad if len(shape) >= 2 else 0)
    for d in range(len(shape) - 2, -1, -1):
        # Every level is padded, not only the rows: a batch stride derived as rows * row stride
        # (a slice of a longer KV cache is laid out like this) is wrong here.
        strides[d] = acc
        acc = acc * shape[d] + 1
    return _laid_out(x, strides, offset)


def columns_first(x, step: int = 1, offset: int = 7):
    """x's values with its last two dims stored columns first, `step` elements apart along a
    column, with padded columns (the leading dims outside them, each block padded by one element),
    starting `offset` elements into its storage; a 1-D x is stored every other element."""
    import torch
    if not isinstance(x, torch.Tensor) or x.dim() == 0 or x.numel() == 0:
        return x
    shape = list(x.shape)
    if len(shape) == 1:
        strides = [2]
    else:
        # Columns first with a padded leading dimension (not the row count), so a column-major
        # path that assumes dense columns is wrong; with step 2 no stride is 1.
        rows, cols = shape[-2], shape[-1]
        strides = [0] * len(shape)
        strides[-2], strides[-1] = step, step * rows + 1
        acc = (step * rows + 1) * cols + 1
        for d in range(len(shape) - 3, -1, -1):
            strides[d] = acc
            acc *= shape[d]
    return _laid_out(x, strides, offset)


def _laid_out(x, strides: list[int], offset: int):
    """A copy of x with these strides, `offset` elements into a storage of its own."""
    import torch
    span = 1 + sum((n - 1) * st for n, st in zip(x.shape, strides))
    base = torch.empty(offset + span, dtype=x.dtype, device=x.device)
    y = base.as_strided(tuple(x.shape), strides, offset)
    y.copy_(x)
    return y


def has_float(inputs, half: bool = False) -> bool:
    import torch
    kinds = (torch.float16, torch.bfloat16) if half else None
    return any(isinstance(x, torch.Tensor) and x.is_floating_point() and (kinds is None or x.dtype in kinds)
               for x in inputs)


def all_finite(obj) -> bool:
    import torch
    from kopt.tools.compare import tensors
    return all(bool(torch.isfinite(t).all()) for t in tensors(obj) if t.is_floating_point() or t.is_complex())


def perturb(model, seed: int) -> None:
    """New values for every floating parameter and buffer, in place (see the module docstring)."""
    import torch
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, t in list(model.named_parameters()) + list(model.named_buffers()):
            if not t.is_floating_point() or t.numel() == 0:
                continue
            cpu = t.detach().to("cpu", torch.float32)
            noise = torch.randn(cpu.shape, generator=g)
            spread = float(cpu.std()) if cpu.numel() > 1 else 0.0
            mean_abs = float(cpu.abs().mean())
            if (cpu >= 0).all() and mean_abs > 0:
                new = cpu * torch.exp(0.25 * noise)            # variances, scales: stay positive
            elif spread > 1e-6 * max(mean_abs, 1e-30):
                new = cpu + 0.25 * spread * noise              # random init: move by a quarter spread
            else:
                new = cpu + 0.2 * max(mean_abs, 1.0) * noise   # constants (bias 0): become non-trivial
            t.copy_(new.to(t.dtype))


def perturb_sparse(model, seed: int) -> str | None:
    """A partial update in place: four entries of the largest floating parameter, at random
    positions, move by one to two times its spread (an edited neuron, a pruned weight). A weight
    cache keyed on a few sampled entries or on a sum of another tensor almost surely misses them,
    and each moved entry changes a whole output column. Returns the parameter's name."""
    import torch
    items = [(k, t) for k, t in model.named_parameters() if t.is_floating_point() and t.numel() > 0]
    if not items:
        return None
    name, t = max(items, key=lambda kv: kv[1].numel())
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        cpu = t.detach().to("cpu", torch.float32).reshape(-1)
        idx = torch.randperm(cpu.numel(), generator=g)[:4]
        spread = float(cpu.std()) if cpu.numel() > 1 else 0.0
        step = spread if spread > 1e-6 else max(float(cpu.abs().mean()), 1.0)
        sign = torch.where(torch.rand(len(idx), generator=g) < 0.5, -1.0, 1.0)
        cpu[idx] += step * sign * (1.0 + torch.rand(len(idx), generator=g))
        t.copy_(cpu.view(t.shape).to(t.dtype))
    return name


# torch.nn module class name -> {attribute: (low, high)}: float attributes a user sets after
# construction, with ranges where the module stays well-defined. Dropout's p is left alone (random).
_NORM = {"eps": (0.01, 0.1)}
_BN = {"eps": (0.01, 0.1), "momentum": (0.2, 0.6)}
HYPER = {**{n: _BN for n in ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm",
                             "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d")},
         **{n: _NORM for n in ("LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm")},
         "LeakyReLU": {"negative_slope": (0.05, 0.4)}, "ELU": {"alpha": (0.5, 2.0)}, "CELU": {"alpha": (0.5, 2.0)},
         "Softplus": {"beta": (0.5, 2.0)}, "Hardshrink": {"lambd": (0.2, 0.8)}, "Softshrink": {"lambd": (0.2, 0.8)}}


def move_hyper(model, seed: int) -> dict:
    """New values for the HYPER attributes of `model`'s torch.nn submodules, set in place;
    returns {submodule path: {attribute: value}} for the candidate to set the same."""
    import random

    import torch
    rng, moved = random.Random(seed), {}
    for path, m in model.named_modules():
        if type(m).__module__.split(".")[0] != "torch":
            continue  # the problem's own classes: their attributes mean what the problem says
        for attr, (lo, hi) in HYPER.get(type(m).__name__, {}).items():
            old = getattr(m, attr, None)
            if isinstance(old, float) and not isinstance(old, bool) and not isinstance(old, torch.Tensor):
                new = round(rng.uniform(lo, hi), 4)
                setattr(m, attr, new)
                moved.setdefault(path, {})[attr] = new
    return moved


def set_hyper(model, moved: dict) -> list:
    """The candidate's side of move_hyper: the same values where it has the same submodule
    (same path, a float attribute of that name); returns the "path.attr" names it set."""
    mods, done = dict(model.named_modules()), []
    for path, attrs in moved.items():
        m = mods.get(path)
        for attr, value in attrs.items():
            old = getattr(m, attr, None) if m is not None else None
            if isinstance(old, float) and not isinstance(old, bool):
                setattr(m, attr, float(value))
                done.append(f"{path}.{attr}" if path else attr)
    return done


def buffers_of(model) -> dict:
    return {k: v.detach().clone() for k, v in model.named_buffers()}

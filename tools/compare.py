"""Comparing a candidate's output with the reference's: structure, then numbers, scale-aware.

Runs only in the trusted reference worker, on tensors the codec rebuilt from raw bytes.

Why scale-aware: a fixed absolute tolerance (KernelBench's atol=1e-2) lets an all-zero output
pass whenever the reference is near zero. Here the absolute term is a fraction of the
reference's RMS, and the relative L2 error of the whole output must be small too, so zeros, a
constant or a slightly-off answer fail however small the reference is. Exact answers pass
whatever their scale.

Per-dtype limits: fp32 admits TF32 / fp16-class accumulation (tl.dot defaults to TF32 on
GPUs; its unit roundoff 2^-11 ~ 4.9e-4), not bf16 (2^-8 ~ 3.9e-3) results passed off as fp32.
That allowance is for problems whose reference runs a matmul, a convolution or attention (where
TF32 is how GPUs run fp32). A reference without any (norms, softmax, elementwise chains, reductions)
gets POINTWISE_FP32: honest fp32 code differs from it by reduction order and ~1-ulp intrinsics
(about 1e-6 of the output), so fp32 computed in half precision inside, or a small constant added
to every element, is wrong there.
"""
from __future__ import annotations

from dataclasses import dataclass

# dtype -> (rtol elementwise, atol as a fraction of the reference RMS, max relative L2 error)
TOLERANCES = {
    "float64": (1e-7, 1e-7, 1e-8),
    "float32": (2e-3, 2e-3, 1e-3),
    "float16": (1e-2, 1e-2, 5e-3),
    "bfloat16": (2e-2, 2e-2, 1e-2),
    "complex128": (1e-7, 1e-7, 1e-8),
    "complex64": (2e-3, 2e-3, 1e-3),
}


POINTWISE_FP32 = (1e-4, 1e-4, 1e-4)
# aten ops whose fp32 a GPU runs in TF32 (torch.backends.cudnn.allow_tf32 is on by default), by name.
DENSE_OPS = {"mm", "bmm", "addmm", "baddbmm", "addbmm", "matmul", "linear", "mv", "addmv", "dot", "vdot", "einsum",
             "tensordot", "bilinear", "cdist", "_cdist_forward", "_trilinear"}


def dense_op(name: str) -> bool:
    return name in DENSE_OPS or "conv" in name or "attention" in name or name.startswith(("_cudnn_rnn", "lstm",
                                                                                            "gru", "rnn_"))


@dataclass
class Mismatch:
    ok: bool
    reason: str
    metrics: dict


def tolerance_for(dtype_name: str, override: dict | None = None) -> tuple[float, float, float]:
    rtol, atol, l2 = TOLERANCES.get(dtype_name, (0.0, 0.0, 0.0))  # ints/bools: exact
    if override and override.get("pointwise") and dtype_name in ("float32", "complex64"):
        return POINTWISE_FP32
    if override:
        rtol, atol, l2 = override.get("rtol", rtol), override.get("atol", atol), override.get("l2", l2)
    return rtol, atol, l2


def compare_outputs(ref, cand, override: dict | None = None, where: str = "output") -> Mismatch:
    """Compare nested outputs (tensor, or tuple/list of them). `cand` came from the codec."""
    import torch
    from kopt.sandbox.protocol import Opaque

    if isinstance(ref, torch.Tensor):
        if isinstance(cand, Opaque):
            return Mismatch(False, f"{where} is a {cand.type_name}, not a torch.Tensor", {})
        if not isinstance(cand, torch.Tensor):
            return Mismatch(False, f"{where} is a {type(cand).__name__}, not a torch.Tensor", {})
        return _compare_tensor(ref, cand, override, where)
    if isinstance(ref, (tuple, list)):
        if not isinstance(cand, (tuple, list)) or len(cand) != len(ref):
            got = f"{type(cand).__name__} of {len(cand)}" if isinstance(cand, (tuple, list)) else type(cand).__name__
            return Mismatch(False, f"{where} should be a {type(ref).__name__} of {len(ref)} items, got {got}", {})
        merged: dict = {}
        for i, (r, c) in enumerate(zip(ref, cand)):
            m = compare_outputs(r, c, override, f"{where}[{i}]")
            merged[str(i)] = m.metrics
            if not m.ok:
                return Mismatch(False, m.reason, merged)
        return Mismatch(True, "", merged)
    if ref != cand:
        return Mismatch(False, f"{where} should be {ref!r}, got {cand!r}", {})
    return Mismatch(True, "", {})


def _compare_tensor(ref, cand, override, where) -> Mismatch:
    import torch

    if tuple(cand.shape) != tuple(ref.shape):
        return Mismatch(False, f"{where} has shape {tuple(cand.shape)}, expected {tuple(ref.shape)}", {})
    if cand.dtype != ref.dtype:
        return Mismatch(False, f"{where} has dtype {cand.dtype}, expected {ref.dtype}", {})
    if ref.numel() == 0:
        return Mismatch(True, "", {})
    name = str(ref.dtype).replace("torch.", "")
    rtol, atol_frac, l2_max = tolerance_for(name, override)
    if not (ref.is_floating_point() or ref.is_complex()):
        bad = (cand != ref)
        nbad = int(bad.sum())
        metrics = {"mismatched": nbad, "numel": ref.numel()}
        if nbad:
            return Mismatch(False, f"{where}: {nbad} of {ref.numel()} elements differ (exact match required "
                            f"for {name})", metrics)
        return Mismatch(True, "", metrics)

    if ref.is_complex():  # compare real and imaginary parts alike
        ref, cand = torch.view_as_real(ref.resolve_conj()), torch.view_as_real(cand.resolve_conj())
    r, c = ref.double(), cand.double()
    r_fin, c_fin = torch.isfinite(r), torch.isfinite(c)
    if not torch.equal(r_fin, c_fin) or not torch.equal(torch.isnan(r), torch.isnan(c)):
        n = int((r_fin != c_fin).sum())
        return Mismatch(False, f"{where} has NaN/Inf in {n} places where the reference does not "
                        f"(or misses the reference's)", {"nonfinite_mismatch": n})
    inf_same = torch.equal(r[~r_fin & ~torch.isnan(r)], c[~c_fin & ~torch.isnan(c)])
    if not inf_same:
        return Mismatch(False, f"{where} has infinities of the wrong sign", {})
    r, c = r[r_fin], c[c_fin]
    if r.numel() == 0:
        return Mismatch(True, "", {})
    rms = float(r.pow(2).mean().sqrt())
    err = (c - r).abs()
    max_abs = float(err.max())
    ref_norm = float(r.norm())
    rel_l2 = float((c - r).norm()) / ref_norm if ref_norm > 0 else (0.0 if max_abs == 0 else float("inf"))
    # The absolute floor keeps an exactly-zero reference from demanding bit-exact zeros.
    atol = atol_frac * rms if rms > 0 else 1e-30
    bad = err > (atol + rtol * r.abs())
    nbad = int(bad.sum())
    metrics = {"max_abs_err": max_abs, "rel_l2_err": rel_l2, "ref_rms": rms, "atol": atol, "rtol": rtol,
               "l2_tol": l2_max, "mismatched": nbad, "numel": int(r.numel())}
    if nbad:
        idx = int(bad.nonzero()[0][0]) if bad.dim() else 0
        return Mismatch(False, f"{where}: {nbad} of {r.numel()} elements outside tolerance (max abs error "
                        f"{max_abs:.3g}, reference RMS {rms:.3g}; first at flat index {idx}: got "
                        f"{float(c.flatten()[idx]):.6g}, expected {float(r.flatten()[idx]):.6g})", metrics)
    if rel_l2 > l2_max:
        return Mismatch(False, f"{where}: relative L2 error {rel_l2:.3g} exceeds {l2_max:g} for {name}", metrics)
    # Exact zeros (a ReLU's, a mask's) are part of the answer: sparsity counts, masks built with
    # `out == 0` and sparse formats depend on them. Rounding flips a few near zero; an offset added
    # everywhere, inside the tolerance, removes them all.
    zeros = r == 0
    n0 = int(zeros.sum())
    if n0 >= max(8, r.numel() // 20):
        kept = int((c[zeros] == 0).sum())
        metrics.update(ref_zeros=n0, zeros_kept=kept)
        if kept < n0 // 2:
            return Mismatch(False, f"{where}: the reference is exactly zero at {n0} of {r.numel()} elements, the "
                            f"candidate at only {kept} of them", metrics)
    return Mismatch(True, "", metrics)


def inputs_unchanged(expected, after) -> str | None:
    """None if the inputs after the call are bitwise the ones given, else a reason."""
    import torch
    if not isinstance(after, (list, tuple)) or len(after) != len(expected):
        return "the reply does not carry the inputs as they were after the call"
    for i, (e, a) in enumerate(zip(expected, after)):
        if isinstance(e, torch.Tensor):
            if not isinstance(a, torch.Tensor) or a.shape != e.shape or a.dtype != e.dtype:
                return f"input {i} changed type or shape during the call"
            eb = e.detach().cpu().contiguous().reshape(-1).view(torch.uint8)
            ab = a.detach().cpu().contiguous().reshape(-1).view(torch.uint8)
            if not torch.equal(eb, ab):
                size = e.element_size()
                n = int((eb != ab).reshape(-1, size).any(dim=1).sum()) if size else 0
                return f"input {i} was modified by the call ({n} elements changed)"
    return None


def compare_buffers(before: dict, after: dict, cand, override: dict | None = None) -> str | None:
    """None if the candidate's buffers after its first call match the reference's, else a reason.

    A buffer the reference's forward changes (running statistics in training mode) must exist in
    the candidate under the same name and hold the same values; one it leaves alone must not be
    changed by the candidate either, where the candidate has it."""
    import torch
    if not isinstance(cand, dict):
        return "the reply does not carry the model's buffers"
    for name, ref_after in after.items():
        changed = not torch.equal(before.get(name, ref_after), ref_after)
        got = cand.get(name)
        if got is None:
            if changed:
                return f"buffer `{name}`, which the reference's forward updates, is missing from ModelNew"
            continue
        m = compare_outputs(ref_after, got, override, where=f"buffer `{name}` after the first call")
        if not m.ok:
            return m.reason + ("" if changed else " (the reference leaves it unchanged)")
    return None


def degeneracy(out_a, out_b) -> str | None:
    """Why a reference output is unusable as a test (constant, or the same for different inputs)."""
    import torch
    ta = [t for t in tensors(out_a) if t.numel() > 0]
    tb = [t for t in tensors(out_b) if t.numel() > 0]
    if not ta:
        return "the reference returns no tensor data"
    if all(torch.equal(a, b) for a, b in zip(ta, tb)):
        return "the reference output does not depend on its inputs (identical for two different inputs)"
    for t in ta:
        if t.numel() > 1 and t.is_floating_point():
            f = t.double()[torch.isfinite(t)]
            if f.numel() > 1 and float(f.std()) <= 1e-6 * float(f.abs().mean()) + 1e-30:
                return "the reference output is (nearly) constant across its elements"
    return None


def tensors(obj):
    """Every tensor in a nested output (tensor, or tuples/lists of them)."""
    import torch
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            yield from tensors(o)

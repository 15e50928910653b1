"""The roofline lower bound of a problem on a device, and how close a measured time comes to it.

Pure arithmetic on the counts of kopt.tools.flops (which run in a worker) and the device table
of kopt.tools.devices; the judge process can import this.

    t_compute = max(matmul FLOPs / tensor-core peak for their dtype, other FLOPs / fp32 peak)
    t_memory  = compulsory bytes / HBM bandwidth
    t_min     = max(t_compute, t_memory)        bound = whichever term is larger

Why these peaks: fp32 matmuls use the TF32 rate, because tl.dot runs fp32 on TF32 tensor cores
by default and the judge's fp32 tolerance admits TF32 (tools/compare.py); fp16/bf16 use the
fp16/bf16 rate; fp8 its own; fp64 (not in the table) the fp32 rate, which makes its bound
optimistic, as a lower bound may be. Elementwise and reduction FLOPs run on CUDA cores at the
fp32 rate. The two compute terms can overlap on the hardware, so the bound takes their max,
not their sum.
"""
from __future__ import annotations

from kopt.tools.devices import DEVICES, Device

_TC = {"float32": "tf32", "float16": "bf16", "bfloat16": "bf16", "float8_e4m3fn": "fp8", "float8_e5m2": "fp8",
       "float8_e4m3fnuz": "fp8", "float8_e5m2fnuz": "fp8"}


def matmul_peak(device: Device, dtype: str) -> float:
    """Dense TFLOP/s a matmul in `dtype` can reach on `device`."""
    kind = _TC.get(dtype)
    if kind == "fp8":
        return device.fp8 or device.bf16
    if kind in ("tf32", "bf16"):
        return getattr(device, kind)
    return device.fp32


def bound(counts: dict, device: Device) -> dict:
    """The lower bound of one forward of the counted problem on `device`."""
    mm = counts.get("matmul_flops_by_dtype") or {}
    t_mm = sum(f / (matmul_peak(device, dt) * 1e12) for dt, f in mm.items())
    t_other = counts.get("other_flops", 0) / (device.fp32 * 1e12)
    t_compute = max(t_mm, t_other)
    t_memory = counts["bytes"] / (device.bandwidth_gbs * 1e9)
    t_min = max(t_compute, t_memory)
    # The machine balance: FLOP per byte at which compute and memory time are equal, for the
    # peak the problem's main work runs at.
    main = max(mm, key=mm.get) if mm else None
    peak = matmul_peak(device, main) if main else device.fp32
    return {"device": device.name, "t_min_ms": t_min * 1e3, "compute_ms": t_compute * 1e3,
            "memory_ms": t_memory * 1e3, "bound": "memory" if t_memory >= t_compute else "compute",
            "intensity": counts["flops"] / counts["bytes"] if counts["bytes"] else None,
            "ridge": peak * 1e12 / (device.bandwidth_gbs * 1e9), "peak_tflops": peak,
            "bandwidth_gbs": device.bandwidth_gbs}


def all_devices(counts: dict) -> list[dict]:
    return [bound(counts, d) for d in DEVICES]


def achieved(counts: dict, ms: float | None, device: Device) -> dict | None:
    """Physical rates of a measured time, and its share of the roofline bound (100% = at the bound)."""
    if not ms or ms <= 0:
        return None
    b = bound(counts, device)
    s = ms / 1e3
    return {"ms": ms, "gb_s": counts["bytes"] / s / 1e9, "tflop_s": counts["flops"] / s / 1e12,
            "pct_of_roofline": 100.0 * b["t_min_ms"] / ms,
            "pct_of_bandwidth": 100.0 * counts["bytes"] / s / (device.bandwidth_gbs * 1e9)}


def fmt_count(n: float, unit: str) -> str:
    """12.3 GFLOP, 1.07 GB: decimal prefixes, as datasheets use."""
    for scale, p in ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= scale:
            return f"{n / scale:.3g} {p}{unit}"
    return f"{n:.3g} {unit}"


def fmt_ms(ms: float | None) -> str:
    if ms is None:
        return "-"
    return f"{ms * 1e3:.3g} µs" if ms < 1 else f"{ms:.4g} ms"

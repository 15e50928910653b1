"""Hardware facts the analysis needs: GPUs (peak rates, bandwidth) and per-SM limits per architecture.

Pure data and lookups, no torch: the judge process imports this.

Peak rates are *dense* (no 2:4 sparsity) in TFLOP/s, bandwidth in GB/s (10^9 bytes/s), as the
vendors' datasheets state them. NVIDIA's datasheets give tensor-core rates "with sparsity";
the dense rate is half of that, and is what a kernel can reach on dense data. `fp32` is the
CUDA-core (no tensor core) rate; `tf32`, `bf16` (= fp16 with fp32 accumulation) and `fp8` are
tensor-core rates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Device:
    name: str
    cc: int                    # compute capability as Triton spells it (90 for sm_90)
    sms: int
    bandwidth_gbs: float       # HBM / GDDR bandwidth, GB/s
    fp32: float                # TFLOP/s on CUDA cores
    tf32: float                # TFLOP/s, dense tensor cores
    bf16: float                # TFLOP/s, dense tensor cores (fp16/bf16 inputs, fp32 accumulate)
    fp8: float | None          # TFLOP/s, dense tensor cores; None where the GPU has no fp8
    l2_mb: float
    matches: tuple[str, ...]   # lower-case patterns that identify torch.cuda.get_device_name()


DEVICES: tuple[Device, ...] = (
    # NVIDIA H100 Tensor Core GPU datasheet, SXM5 column: 3.35 TB/s HBM3, FP32 67 TF,
    # TF32 989 / BF16 1979 / FP8 3958 TF with sparsity (dense: half); 132 SMs, 50 MB L2.
    Device("H100 SXM", 90, 132, 3350, 67.0, 494.7, 989.4, 1978.9, 50,
           ("h100 80gb hbm3", "h100 sxm", "h100-sxm", "h100sxm")),
    # Same datasheet, PCIe column: 2.0 TB/s HBM2e, FP32 51 TF, TF32 756 / BF16 1513 /
    # FP8 3026 TF with sparsity; 114 SMs.
    Device("H100 PCIe", 90, 114, 2000, 51.0, 378.0, 756.5, 1513.0, 50, ("h100 pcie", "h100-pcie", "h100pcie")),
    # NVIDIA H200 Tensor Core GPU datasheet, SXM column: 4.8 TB/s HBM3e; compute as the H100 SXM
    # (same GH100 die and clocks).
    Device("H200", 90, 132, 4800, 67.0, 494.7, 989.4, 1978.9, 50, ("h200",)),
    # NVIDIA A100 Tensor Core GPU datasheet, A100 80GB SXM column: 2,039 GB/s HBM2e, FP32 19.5 TF,
    # TF32 312 / BF16 624 TF with sparsity; no fp8. 108 SMs, 40 MB L2.
    Device("A100 SXM", 80, 108, 2039, 19.5, 156.0, 312.0, None, 40, ("a100-sxm", "a100 sxm", "a100sxm", "a100")),
    # NVIDIA L40S datasheet: 864 GB/s GDDR6, FP32 91.6 TF, TF32 183, BF16 362.05, FP8 733 TF
    # dense (twice that with sparsity). 142 SMs, 96 MB L2 (Ada whitepaper).
    Device("L40S", 89, 142, 864, 91.6, 183.0, 362.05, 733.0, 96, ("l40s",)),
    # NVIDIA Ada Lovelace architecture whitepaper, GeForce RTX 4090 column: 1008 GB/s GDDR6X,
    # FP32 82.6 TF, TF32 82.6, FP16/BF16 with FP32 accumulate 165.2, FP8 with FP32 accumulate
    # 330.3 TF dense (GeForce runs fp32-accumulate MMA at half the fp16-accumulate rate).
    Device("RTX 4090", 89, 128, 1008, 82.6, 82.6, 165.2, 330.3, 72, ("rtx 4090", "rtx4090", "4090")),
    # NVIDIA HGX B200 datasheet, per GPU: FP32 75 TF, TF32 2.2 / BF16 4.5 / FP8 9 PF with sparsity;
    # 8 TB/s HBM3e (DGX B200: 64 TB/s over 8 GPUs). 148 SMs.
    Device("B200", 100, 148, 8000, 75.0, 1100.0, 2250.0, 4500.0, 126, ("b200",)),
)

DEFAULT_DEVICE = "H100 SXM"


@dataclass(frozen=True)
class ArchLimits:
    """Per-SM limits that decide occupancy. CUDA C++ Programming Guide, "Compute Capabilities",
    technical specifications per compute capability (8.0, 8.9, 9.0, 10.0)."""
    cc: int
    max_warps: int             # resident warps per SM (threads / 32)
    max_blocks: int            # resident blocks per SM
    smem_per_sm: int           # bytes of shared memory per SM
    smem_per_block: int        # bytes a block may use (opt-in maximum; Triton requests it)
    regs_per_sm: int = 65536   # 32-bit registers per SM (all four architectures)
    reg_unit: int = 256        # registers are allocated per warp in units of 256
    smem_reserved: int = 1024  # shared memory the system reserves per block (CC 8.0 and later)


ARCHS: dict[int, ArchLimits] = {
    80: ArchLimits(80, max_warps=64, max_blocks=32, smem_per_sm=164 * 1024, smem_per_block=163 * 1024),
    89: ArchLimits(89, max_warps=48, max_blocks=24, smem_per_sm=100 * 1024, smem_per_block=99 * 1024),
    90: ArchLimits(90, max_warps=64, max_blocks=32, smem_per_sm=228 * 1024, smem_per_block=227 * 1024),
    100: ArchLimits(100, max_warps=64, max_blocks=32, smem_per_sm=228 * 1024, smem_per_block=227 * 1024),
}


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


def find_device(name: str | None) -> Device | None:
    """A device by table name ("H100 SXM", "h100-sxm") or by the name CUDA reports
    ("NVIDIA H100 80GB HBM3"); None if unknown."""
    if not name:
        return None
    n = _norm(name)
    for d in DEVICES:
        if n == _norm(d.name):
            return d
    for d in DEVICES:  # the more specific patterns come first in the table (SXM before PCIe)
        if any(_norm(p) in n for p in d.matches):
            return d
    return None


def device_names() -> list[str]:
    return [d.name for d in DEVICES]


class TargetError(ValueError):
    """A --target that is neither an architecture kopt knows nor a device in the table."""


def parse_target(text: str) -> int:
    """`sm_90`, `sm90`, `90` or a device name (its architecture) -> compute capability."""
    t = text.strip().lower()
    m = re.fullmatch(r"(?:sm_?)?(\d{2,3})a?", t)
    if m and int(m.group(1)) in ARCHS:
        return int(m.group(1))
    dev = find_device(text)
    if dev is not None:
        return dev.cc
    raise TargetError(f"unknown target {text!r}: use one of "
                      + ", ".join(f"sm_{cc}" for cc in ARCHS) + " or a device name (" + ", ".join(device_names()) + ")")

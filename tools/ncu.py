"""Optional Nsight Compute (`ncu`) metrics for a winning candidate, on a GPU only.

Profiling needs three things this module checks before anything runs: a GPU, the `ncu` binary,
and the user's consent (KOPT_NCU=1 for `kopt optimize`, `--ncu` for `kopt analyze`): ncu replays
each kernel many times, which takes far longer than a check. A fourth, GPU performance counters,
is up to the driver: by default only admins may read them, and ncu then fails with
ERR_NVGPUCTRPERM; the result says so and the run carries on.

The profiled process runs the candidate, so it is started inside the candidate's sandboxed
worker (kopt.sandbox.profile_ncu); this module only decides and parses text.
"""
from __future__ import annotations

import csv
import io
import os
import shutil

# Duration, how busy DRAM and the SMs were (percent of peak), registers and achieved occupancy.
METRICS = ("gpu__time_duration.sum", "dram__throughput.avg.pct_of_peak_sustained_elapsed",
           "sm__throughput.avg.pct_of_peak_sustained_elapsed", "launch__registers_per_thread",
           "sm__warps_active.avg.pct_of_peak_sustained_active")


def find_ncu() -> str | None:
    return shutil.which("ncu") or next((p for p in ("/usr/local/cuda/bin/ncu", "/opt/nvidia/nsight-compute/ncu")
                                        if os.path.exists(p)), None)


def availability(device: str, wanted: bool) -> dict:
    """Whether ncu can run here, and in words why not."""
    if not wanted:
        return {"available": False, "reason": "not requested (--ncu, or KOPT_NCU=1 for kopt optimize)"}
    if not str(device).startswith("cuda"):
        return {"available": False, "reason": "no GPU in this check (it ran on the CPU): Nsight Compute profiles "
                                              "GPU kernels only"}
    exe = find_ncu()
    if exe is None:
        return {"available": False, "reason": "ncu (Nsight Compute) is not installed or not on PATH"}
    return {"available": True, "reason": "", "ncu": exe}


def wanted_from_env() -> bool:
    return os.environ.get("KOPT_NCU", "") == "1"


def parse(output: str, returncode: int) -> dict:
    """ncu's --csv output -> per-kernel metrics (the last launch of each kernel)."""
    if "ERR_NVGPUCTRPERM" in output:
        return {"available": False, "reason": "the driver does not allow this user to read GPU performance counters "
                                              "(ERR_NVGPUCTRPERM); an admin can allow it, see NVIDIA's documentation "
                                              "of that error"}
    start = output.find('"ID"')
    if start < 0:
        return {"available": False, "reason": f"ncu produced no metrics (exit {returncode}): {output.strip()[-300:]}"}
    kernels: dict[str, dict] = {}
    for row in csv.DictReader(io.StringIO(output[start:])):
        name, metric, value = row.get("Kernel Name"), row.get("Metric Name"), row.get("Metric Value")
        if not name or not metric:
            continue
        try:
            value = float(str(value).replace(",", ""))
        except ValueError:
            pass
        kernels.setdefault(name, {"kernel": name})[metric] = value
    return {"available": True, "metrics": list(METRICS), "kernels": list(kernels.values())}

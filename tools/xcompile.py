"""Cross-compilation, judge side: which kernels to compile for which GPU, what the results mean,
and a disk cache so that a kernel is compiled once per (candidate file, specialization, target,
Triton version).

The compiling itself happens in the candidate's sandboxed worker (kopt.sandbox.compile_kernels):
it runs the candidate's code. This module never imports torch or triton.

What a result means for a check: a kernel that ran in the interpreter but that Triton cannot
compile for the target (unsupported Python in a kernel, `tl.dot` tiles too small for the
tensor cores, ptxas failures), or that asks for more shared memory per block than the
architecture has (Triton raises OutOfResources at launch), would fail on that GPU, so the
check's verdict becomes `compile_error`. Registers, spills and shared memory become the
per-kernel occupancy (kopt.tools.devices.ARCHS) and advice for the agent.

Cache key: the sha256 of the whole candidate file rather than of the kernel's own source. The
results come from a process the candidate controls; keyed by its file, a lying candidate can
only ever lie about itself, never poison the entry of a different candidate that happens to
share a kernel.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from kopt.tools.devices import ARCHS, ArchLimits, find_device, parse_target

DEFAULT_TARGET = "sm_90"


def cache_dir() -> Path:
    # ~/.cache/kopt is hidden from sandboxed workers (sandbox/isolation.py), so only the judge
    # reads and writes it.
    root = os.environ.get("KOPT_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "kopt")
    return Path(root) / "xcompile"


def _cache_path(key: str) -> Path:
    return cache_dir() / key[:2] / f"{key}.json"


def cache_get(key: str) -> dict | None:
    try:
        return json.loads(_cache_path(key).read_text())
    except (OSError, ValueError):
        return None


def cache_put(key: str, value: dict) -> None:
    p = _cache_path(key)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value))
        os.replace(tmp, p)  # atomic: a concurrent check reads the old file or the new one
    except OSError:
        pass  # a cache that cannot be written only costs time


def occupancy(registers: int | None, shared: int, num_warps: int, arch: ArchLimits) -> dict | None:
    """Resident blocks and warps per SM implied by one kernel's resources, and what limits them."""
    if not registers or not num_warps:
        return None
    per_warp = -(-registers * 32 // arch.reg_unit) * arch.reg_unit
    limits = {"warps": arch.max_warps // num_warps, "blocks": arch.max_blocks,
              "registers": (arch.regs_per_sm // per_warp) // num_warps}
    if shared:
        limits["shared memory"] = arch.smem_per_sm // (shared + arch.smem_reserved)
    blocks = max(0, min(limits.values()))
    limited_by = min(limits, key=lambda k: (limits[k], k != "warps"))
    return {"blocks_per_sm": blocks, "warps_per_sm": blocks * num_warps,
            "occupancy": blocks * num_warps / arch.max_warps, "limited_by": limited_by}


def advice(k: dict, arch: int) -> list[str]:
    """What a kernel's resource usage suggests, in words the agent can act on."""
    out = []
    spill = (k.get("stack_bytes") or 0) + (k.get("local_bytes") or 0)
    if k.get("spills"):
        amount = f"{spill} bytes per thread" if spill else f"{k.get('spill_count')} value(s)"
        out.append(f"{k['name']} spills {amount} to local memory on sm_{arch} "
                   f"({k.get('registers')} registers): shrink the per-program tile (BLOCK sizes) or raise num_warps "
                   "so each thread holds fewer values")
    occ = k.get("occupancy") or {}
    if occ and occ.get("occupancy", 1) < 0.25:
        out.append(f"{k['name']} reaches {occ['occupancy']:.0%} occupancy on sm_{arch}, limited by "
                   f"{occ['limited_by']}: fewer registers or less shared memory per program would hide latency better")
    return out


def short_error(error: str) -> str:
    """The compiler's own message (its last line) and the kernel line it points at, if any."""
    lines = [l for l in (error or "").splitlines() if l.strip()]
    if not lines:
        return "the compiler gave no message"
    msg = lines[-1].strip()
    for i, l in enumerate(lines[:-1]):
        if l.strip() == "^" and i > 0:  # Triton marks the failing expression with a caret
            return f"{msg} (at `{lines[i - 1].strip()}`)"
    return msg


class Step:
    """One check's cross-compilation: plan (cache lookups), absorb the worker's results, summarize."""

    def __init__(self, target: str, candidate_path: str, triton_version: str | None):
        self.cc = parse_target(target)
        self.target = f"sm_{self.cc}"
        self.arch = ARCHS[self.cc]
        with open(candidate_path, "rb") as f:
            self.file_sha = hashlib.sha256(f.read()).hexdigest()
        self.triton = triton_version or "?"
        self.results: dict[str, dict] = {}
        self.order: list[str] = []
        self.cached = self.compiled = 0
        self.t0 = time.monotonic()

    def _key(self, kernel: dict, spec: dict) -> str:
        raw = json.dumps([self.file_sha, kernel["name"], kernel.get("qualname"), spec, self.cc, self.triton],
                         sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()

    def plan(self, kernels: list[dict]) -> list[dict]:
        """Items the worker must compile: every distinct specialization not in the cache."""
        todo = []
        for k in kernels:
            for spec in k.get("specs") or []:
                key = self._key(k, spec)
                if key in self.results:
                    continue
                self.order.append(key)
                hit = cache_get(key)
                if hit is not None:
                    self.cached += 1
                    self.results[key] = hit
                    continue
                self.results[key] = {"name": k["name"], "status": "pending"}
                todo.append({"key": key, "name": k["name"], "qualname": k.get("qualname", k["name"]), **spec})
        return todo

    def absorb(self, replies: list) -> None:
        for r in replies or []:
            key = r.get("key") if isinstance(r, dict) else None
            if key not in self.results or self.results[key].get("status") != "pending":
                continue  # only answers to questions we asked
            res = self._finish({**r, "name": self.results[key]["name"], "target": self.target})
            self.results[key] = res
            self.compiled += 1
            if res["status"] in ("ok", "compile_error"):  # skips depend on our tooling: retried next time
                cache_put(key, res)

    def _finish(self, r: dict) -> dict:
        r.pop("key", None)
        r = {k: v for k, v in r.items() if isinstance(v, (str, int, float, bool, type(None), dict))}
        if r.get("status") != "ok":
            return r
        shared = int(r.get("shared_bytes") or 0)
        if shared > self.arch.smem_per_block:
            r["status"] = "compile_error"
            r["error"] = (f"needs {shared} bytes of shared memory per program; {self.target} allows at most "
                          f"{self.arch.smem_per_block} (Triton raises OutOfResources when it launches)")
        r["spills"] = bool((r.get("stack_bytes") or 0) + (r.get("local_bytes") or 0))
        r["occupancy"] = occupancy(r.get("registers"), shared, int(r.get("num_warps") or 0), self.arch)
        return r

    def kernels(self) -> list[dict]:
        return [self.results[k] for k in self.order if self.results[k].get("status") != "pending"]

    def first_error(self) -> dict | None:
        return next((r for r in self.kernels() if r.get("status") == "compile_error"), None)

    def summary(self) -> dict:
        ks = self.kernels()
        notes = [a for k in ks for a in advice(k, self.cc)]
        return {"target": self.target, "triton": self.triton, "kernels": ks, "cached": self.cached,
                "compiled": self.compiled,
                "seconds": round(time.monotonic() - self.t0, 3), "advice": notes,
                "spills": any(k.get("spills") for k in ks)}


def native_summary(kernels: list[dict], device_name: str | None) -> dict | None:
    """On a GPU: the resource usage the JIT reported for the kernels it really compiled."""
    dev = find_device(device_name)
    arch = ARCHS.get(dev.cc) if dev else None
    ks = []
    for k in kernels:
        n = k.get("native")
        if not n:
            continue
        r = {"name": k["name"], "status": "ok", "registers": n.get("registers"), "spill_count": n.get("spills"),
             "shared_bytes": n.get("shared_bytes"), "num_warps": n.get("num_warps"), "spills": bool(n.get("spills"))}
        if arch:
            r["occupancy"] = occupancy(r["registers"], int(r["shared_bytes"] or 0), int(r["num_warps"] or 0), arch)
        ks.append(r)
    if not ks:
        return None
    notes = [a for k in ks for a in advice(k, dev.cc if dev else 0)] if dev else []
    return {"target": "native", "device": device_name, "kernels": ks, "advice": notes,
            "spills": any(k["spills"] for k in ks)}

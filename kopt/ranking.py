"""The one ranking of verified candidates, used by the loop, the winner's re-verification, the run
store's `best`, `kopt show`, the progress lines and the written header.

On a GPU: the measured speedup. On the CPU, where Triton runs interpreted and times say nothing
about a GPU, a documented proxy: running our own Triton kernels beats plain PyTorch; then fewer
kernel launches per forward (each launch is a round trip through memory); then no register
spills in the kernels cross-compiled for the target GPU; then the interpreted time. Ties go to
the earlier candidate.
"""
from __future__ import annotations


def rank_key(row: dict, cpu: bool) -> tuple:
    """Larger is better."""
    v = row.get("verdict") or {}
    if not cpu:
        return (row.get("speedup") or 0.0,)
    launches = _launches(v)
    own = 1 if launches else 0
    spills = 1 if (v.get("xcompile") or {}).get("spills") else 0
    return (own, -launches if own else 0, -spills, -(row.get("candidate_ms") or float("inf")))


def best(rows: list[dict], cpu: bool) -> dict | None:
    """The best verified row (rows in id order), or None."""
    ok = [r for r in rows if _status(r) == "correct"]
    return max(ok, key=lambda r: rank_key(r, cpu), default=None)  # max keeps the first of equals


def ordered(rows: list[dict], cpu: bool) -> list[dict]:
    """Verified rows, best first (the order the winner's re-verification tries them in)."""
    ok = [r for r in rows if _status(r) == "correct"]
    return sorted(ok, key=lambda r: (rank_key(r, cpu), -r.get("id", 0)), reverse=True)


def cpu_run(meta: dict) -> bool:
    """Whether a run store's candidates were judged on the CPU (and ranked by the proxy)."""
    return ((meta or {}).get("options") or {}).get("device") == "cpu"


def shown(row: dict, cpu: bool) -> str:
    """How a verified candidate's standing reads in progress lines and `kopt show`: its speedup on a
    GPU; on the CPU the proxy's terms, never an interpreted-time ratio (which reads as a slowdown)."""
    v = row.get("verdict") or row
    if not cpu:
        sp = row.get("speedup") if row.get("speedup") is not None else v.get("speedup")
        return f"{sp:.3g}x" if sp else ""
    n = _launches(v)
    if not n:
        return "plain PyTorch (CPU proxy)"
    spills = ", spills" if (v.get("xcompile") or {}).get("spills") else ""
    return f"own kernels, {n} launch{'es' if n != 1 else ''}/forward{spills} (CPU proxy)"


def _launches(v: dict) -> int:
    return sum(k.get("launches", 0) for k in v.get("kernels") or [])


def _status(row: dict) -> str | None:
    return row.get("status") or (row.get("verdict") or {}).get("status")

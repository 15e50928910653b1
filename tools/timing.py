"""The one place kopt times a forward call. Reference and candidate workers both use it.

Per trial: refresh the input buffers with new contents (not timed), flush L2 on CUDA by writing a
buffer larger than the cache (not timed), synchronize, then time one call.

On CUDA two clocks run per trial: CUDA events on the current stream (precise), and the host
clock until `torch.cuda.synchronize()` returns, minus the measured cost of an empty
record/synchronize. Honest code gives the same answer on both. Work a candidate leaves running
after `forward` returns (a side stream it never joins) is invisible to the events but not to the
device-wide synchronize, so when the host clock is clearly longer the trial is charged the host
figure and the result says so: such work is never credited.

On CPU the host clock is the only clock. When Triton ran interpreted, the time says nothing
about a GPU; the judge says that in its verdict.

Everything here runs inside a worker and is therefore untrusted: the judge cross-checks the
totals against its own clock (see tools/judge.py).
"""
from __future__ import annotations

import time

L2_FLUSH_BYTES = 256 << 20  # larger than any current GPU's L2 (H100: 50 MB)


def sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch
        torch.cuda.synchronize()


class Flusher:
    def __init__(self, device: str):
        self.buf = None
        if device.startswith("cuda"):
            import torch
            self.buf = torch.empty(L2_FLUSH_BYTES // 4, dtype=torch.int32, device=device)

    def __call__(self) -> None:
        if self.buf is not None:
            self.buf.zero_()


def _host_overhead_ms(device: str, n: int = 20) -> float:
    """Median host-side cost of an empty record/record/synchronize, subtracted from host times."""
    import torch
    samples = []
    for _ in range(n):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        s.record()
        e.record()
        torch.cuda.synchronize()
        samples.append((time.perf_counter() - t0) * 1e3)
    samples.sort()
    return samples[len(samples) // 2]


def time_trials(call, prepare, n: int, device: str, flush: bool = True, warmup: int = 0, keep=None) -> dict:
    """Run `n` timed trials. `prepare(i)` refreshes inputs for trial i; `call()` runs forward;
    `keep(i, out)`, if given, sees each trial's output after its time was taken.

    Returns per-trial milliseconds (`ms`), the event and host figures on CUDA, and whether any
    trial was charged the host clock because work outlived `forward`.
    """
    cuda = device.startswith("cuda")
    flusher = Flusher(device) if (cuda and flush) else None
    overhead = _host_overhead_ms(device) if cuda else 0.0
    ms, events, hosts, charged = [], [], [], 0
    out = None
    for _ in range(warmup):  # caches, clocks and any lazy compilation settle outside the timed region
        prepare(0)
        call()
        sync(device)
    for i in range(n):
        out = None  # drop the previous output before the next allocation
        prepare(i)
        if flusher:
            flusher()
        sync(device)
        if cuda:
            import torch
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            t0 = time.perf_counter()
            start.record()
            out = call()
            end.record()
            torch.cuda.synchronize()
            host = (time.perf_counter() - t0) * 1e3 - overhead
            ev = start.elapsed_time(end)
            events.append(ev)
            hosts.append(host)
            # 1.5x + 50 us: well above launch jitter, far below a side-stream cheat's gap.
            if host > 1.5 * ev + 0.05:
                charged += 1
                ms.append(host)
            else:
                ms.append(ev)
        else:
            t0 = time.perf_counter()
            out = call()
            ms.append((time.perf_counter() - t0) * 1e3)
        if keep is not None:
            keep(i, out)
    return {"ms": ms, "event_ms": events, "host_ms": hosts, "host_charged": charged,
            "overhead_ms": overhead, "last": out}


def summarize(ms: list[float]) -> dict:
    """Median and spread of a list of trial times."""
    if not ms:
        return {"median": None, "min": None, "max": None, "p20": None, "p80": None, "n": 0}
    s = sorted(ms)
    q = lambda f: s[min(len(s) - 1, int(f * (len(s) - 1) + 0.5))]
    return {"median": q(0.5), "min": s[0], "max": s[-1], "p20": q(0.2), "p80": q(0.8), "n": len(s)}

"""Warm workers: sandboxed worker pairs started before the check that will use them.

A fresh worker spends most of a small check importing torch and Triton (1.5-2.5 s on 2 cores);
both roles import everything before they read their first command (sandbox/ref_worker.py,
sandbox/cand_worker.py), so a pair started ahead of time is simply waiting on its pipe when the
next check takes it. Only a process that runs many checks of one problem gains: the optimize loop
turns the pool on (`enable`); a one-shot `kopt check` never starts a pair it would not use.

Isolation is unchanged (sandbox/isolation.py, "Warm workers"): a pair is single-use, it has run
nothing but kopt's own imports when it is taken, and it is killed with its check like any other.
Its shared-input memfd is made with it and sealed by the check that takes it, before any
candidate code exists, exactly as for a fresh pair. A pair is keyed by everything its start
depends on, the problem file's identity included, so a changed problem gets new workers (the
candidate's view of the problem file is hidden when the worker starts).

When to refill: the check that took a pair asks for its replacement after its timed calls (or at
its end, if it stopped sooner), so the replacement's imports never compete with a timed call of
that check, and they overlap its remaining work (unseen configurations, late checks) and the
loop's own between checks.
"""
from __future__ import annotations

import atexit
import os
import threading
from typing import Callable, NamedTuple


class Pair(NamedTuple):
    shm: object   # tools.judge_session.SharedInputs or None (GPU)
    ref: object   # sandbox.isolation.Worker
    cand: object


def problem_identity(path: str) -> tuple:
    st = os.stat(path)
    return (os.path.abspath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class WarmPool:
    def __init__(self, size: int = 1):
        self.size = max(1, size)
        self._ready: dict[tuple, list[Pair]] = {}
        self._lock = threading.Lock()
        self.stats = {"taken_warm": 0, "started_cold": 0, "discarded": 0}

    def take(self, key: tuple) -> Pair | None:
        """A ready pair for `key` whose processes are still alive, or None."""
        with self._lock:
            stale = [k for k in self._ready if k != key]
            dropped = [p for k in stale for p in self._ready.pop(k)]
            found = None
            pairs = self._ready.get(key, [])
            while pairs and found is None:
                p = pairs.pop(0)
                if p.ref.proc.poll() is None and p.cand.proc.poll() is None:
                    found = p
                else:
                    dropped.append(p)
            self.stats["taken_warm" if found else "started_cold"] += 1
            self.stats["discarded"] += len(dropped)
        for p in dropped:  # another problem's pairs, or ones that died waiting: never reused
            close_pair(p)
        return found

    def refill(self, key: tuple, make: Callable[[], Pair]) -> None:
        with self._lock:
            if len(self._ready.get(key, [])) >= self.size:
                return
        pair = make()  # Popen only: the imports run in the new processes, not here
        with self._lock:
            pairs = self._ready.setdefault(key, [])
            if len(pairs) < self.size:
                pairs.append(pair)
                pair = None
        if pair is not None:
            close_pair(pair)

    def close(self) -> None:
        with self._lock:
            pairs = [p for ps in self._ready.values() for p in ps]
            self._ready.clear()
        for p in pairs:
            close_pair(p)


def close_pair(p: Pair) -> None:
    for w in (p.cand, p.ref):
        w.close()
    if p.shm is not None:
        p.shm.close()


_POOL: WarmPool | None = None


def enable(size: int = 1) -> WarmPool | None:
    """Turn warm workers on for this process (idempotent; the pool keeps `size` pairs ready).
    KOPT_WARM=0 keeps them off (every check then starts its own pair)."""
    global _POOL
    if os.environ.get("KOPT_WARM") == "0":
        return None
    if _POOL is None:
        _POOL = WarmPool(size)
        atexit.register(_POOL.close)
    else:
        _POOL.size = max(_POOL.size, size)
    return _POOL


def worth_it(jobs: int, cores: int | None = None) -> bool:
    """Whether pre-started pairs pay for themselves with `jobs` checks running at once.

    A pair's imports cost about 5.6 core-seconds. With one check at a time the refill runs while
    the loop waits on the proposer (an LLM reply takes seconds) and on the check's own untimed
    tail, so it is free or better. With parallel checks that already fill the cores, the refills
    compete with them: on 2 cores, jobs=2 judged 5.7 candidates/min with warm pairs and 7.1
    without (benchmarks/loop_throughput.py). So: one check at a time, or two spare cores per
    running check for its pair and its refill."""
    cores = cores or os.cpu_count() or 1
    return jobs <= 1 or cores >= 4 * jobs


def disable() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.close()
        _POOL = None


def pool() -> WarmPool | None:
    return _POOL

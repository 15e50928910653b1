"""The interpreter sanitizer on real Triton kernels: out-of-bounds accesses and conflicts between programs.

TRITON_INTERPRET=1 must be set before triton is imported (its own @jit helpers, tl.sum's combine function
among them, are bound at import), and must not leak into the rest of the test session: so the kernels run
in one child process (this file run as a script), which reports every scenario as one JSON line, and the
tests below check those reports. Kernel annotations are strings (__future__), so the parent never needs
triton; `tl` is bound in the child before any kernel runs.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kopt.sandbox import sanitizer

SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__] = fn
    return fn


def add(x, y, out, n, BLOCK: tl.constexpr, MASK_STORE: tl.constexpr, MASK_LOAD: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    if MASK_LOAD:
        v = tl.load(x + offs, mask=m) + tl.load(y + offs, mask=m)
    else:
        v = tl.load(x + offs) + tl.load(y + offs)
    if MASK_STORE:
        tl.store(out + offs, v, mask=m)
    else:
        tl.store(out + offs, v)


def total(x, out, n, BLOCK: tl.constexpr, ATOMIC: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    s = tl.sum(tl.load(x + offs, mask=offs < n, other=0.0), axis=0)
    if ATOMIC:
        tl.atomic_add(out, s)
    else:
        tl.store(out, tl.load(out) + s)  # a lost update on a GPU


def flag(out):
    tl.store(out, 1.0)  # every program: same value, same place


def shift_left(x, n, BLOCK: tl.constexpr):
    # x[i] = x[i + 1] in place: the last lane of each block reads the next program's region
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    v = tl.load(x + offs + 1, mask=offs + 1 < n)
    tl.store(x + offs, v, mask=offs + 1 < n)


def row_softmax(x, out, stride, N_COLS: tl.constexpr, BLOCK: tl.constexpr, ROWS_PER_PROG: tl.constexpr):
    # A loop over column blocks, three passes per row. Loop bounds are constexpr: Triton 3.6's interpreter
    # turns a runtime bound into an int with int(array of shape (1,)), which numpy >= 2.4 refuses.
    for r in range(ROWS_PER_PROG):
        row = tl.program_id(0) * ROWS_PER_PROG + r  # program_id(1) is ignored: see the duplicated case
        mx = -float("inf")
        for c in range(0, N_COLS, BLOCK):
            cols = c + tl.arange(0, BLOCK)
            v = tl.load(x + row * stride + cols, mask=(cols < N_COLS), other=-float("inf"))
            mx = tl.maximum(mx, tl.max(v, axis=0))
        den = 0.0
        for c in range(0, N_COLS, BLOCK):
            cols = c + tl.arange(0, BLOCK)
            v = tl.load(x + row * stride + cols, mask=(cols < N_COLS), other=-float("inf"))
            den += tl.sum(tl.exp(v - mx), axis=0)
        for c in range(0, N_COLS, BLOCK):
            cols = c + tl.arange(0, BLOCK)
            v = tl.load(x + row * stride + cols, mask=(cols < N_COLS), other=-float("inf"))
            tl.store(out + row * stride + cols, tl.exp(v - mx) / den, mask=(cols < N_COLS))


def matmul(a, b, c, M, N, K: tl.constexpr, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr, SPLIT_BUG: tl.constexpr):
    pm, pn = tl.program_id(0), tl.program_id(1)
    rm = pm * BM + tl.arange(0, BM)
    rn = pn * BN + tl.arange(0, BN)
    if SPLIT_BUG:
        rn = tl.arange(0, BN)  # every column block writes block 0: programs (i, 0) and (i, 1) collide
    rk = tl.arange(0, BK)
    acc = tl.zeros((BM, BN), dtype=tl.float32)
    for k in range(0, K, BK):
        av = tl.load(a + rm[:, None] * K + (k + rk)[None, :], mask=(rm[:, None] < M) & ((k + rk)[None, :] < K),
                     other=0.0)
        bv = tl.load(b + (k + rk)[:, None] * N + rn[None, :], mask=((k + rk)[:, None] < K) & (rn[None, :] < N),
                     other=0.0)
        acc += tl.dot(av, bv)
    tl.store(c + rm[:, None] * N + rn[None, :], acc, mask=(rm[:, None] < M) & (rn[None, :] < N))


KERNELS = [add, total, flag, shift_left, row_softmax, matmul]


# ---- scenarios (run in the child; each returns facts the tests check, findings are added) ----

@scenario
def masked_clean(k):
    x, y, o = torch.randn(1000), torch.randn(1000), torch.empty(1000)
    k["add"][(triton.cdiv(1000, 256),)](x, y, o, 1000, BLOCK=256, MASK_STORE=True, MASK_LOAD=True)
    acc = torch.zeros(1)
    k["total"][(4,)](x, acc, 1000, BLOCK=256, ATOMIC=True)  # atomics against atomics: fine
    return {"add_ok": torch.equal(o, x + y), "sum_ok": torch.allclose(acc, x.sum(), atol=1e-4)}


@scenario
def tail_store(k):
    # `out` is a torch view of the first 1000 floats of a numpy buffer: the tail store would land in
    # memory torch does not own (the rest of the buffer), which must stay untouched.
    buf = np.full(1024 + 64, 7.0, dtype=np.float32)
    out = torch.from_numpy(buf[:1000])
    x, y = torch.randn(1024), torch.randn(1024)
    k["add"][(4,)](x, y, out, 1000, BLOCK=256, MASK_STORE=False, MASK_LOAD=True)


@scenario
def tail_store_memory(k):
    buf = np.full(1024 + 64, 7.0, dtype=np.float32)
    out = torch.from_numpy(buf[:1000])
    x, y = torch.randn(1024), torch.randn(1024)
    try:
        k["add"][(4,)](x, y, out, 1000, BLOCK=256, MASK_STORE=False, MASK_LOAD=True)
    except sanitizer.SanitizerError:
        pass
    return {"beyond_untouched": bool((buf[1000:] == 7.0).all()),
            "refused_store_untouched": bool((buf[768:1000] == 7.0).all()),  # its in-bounds lanes too
            "earlier_programs_ok": torch.allclose(out[:768], x[:768] + y[:768])}


@scenario
def tail_load(k):
    x, y, o = torch.randn(1000), torch.randn(1000), torch.empty(1024)
    k["add"][(4,)](x, y, o, 1000, BLOCK=256, MASK_STORE=True, MASK_LOAD=False)


@scenario
def view_slack(k):
    base = torch.randn(1200)
    x = base[100:1100]  # the kernel reads 24 floats past x's end: still inside x's storage
    y, o = torch.randn(1024), torch.empty(1024)
    k["add"][(4,)](x, y, o, 1000, BLOCK=256, MASK_STORE=True, MASK_LOAD=False)


@scenario
def partial_sums_plain(k):
    k["total"][(4,)](torch.randn(1000), torch.zeros(1), 1000, BLOCK=256, ATOMIC=False)


@scenario
def same_value_same_place(k):
    k["flag"][(3,)](torch.zeros(4))


@scenario
def one_program_flag(k):
    k["flag"][(1,)](torch.zeros(4))


@scenario
def neighbour_read(k):
    k["shift_left"][(4,)](torch.arange(64, dtype=torch.float32), 64, BLOCK=16)


@scenario
def own_read_after_write(k):
    k["shift_left"][(1,)](torch.arange(16, dtype=torch.float32), 16, BLOCK=16)


@scenario
def softmax_2d_grid_clean(k):
    x = torch.randn(10, 300)
    o = torch.empty_like(x)
    k["row_softmax"][(5, 1)](x, o, 300, N_COLS=300, BLOCK=128, ROWS_PER_PROG=2)
    return {"ok": torch.allclose(o, torch.softmax(x, dim=1), atol=1e-6)}


@scenario
def softmax_2d_grid_duplicated(k):
    x = torch.randn(10, 300)
    k["row_softmax"][(5, 2)](x, torch.empty_like(x), 300, N_COLS=300, BLOCK=128, ROWS_PER_PROG=2)


@scenario
def matmul_clean(k):
    a, b, c = torch.randn(64, 48), torch.randn(48, 64), torch.empty(64, 64)
    k["matmul"][(2, 2)](a, b, c, 64, 64, K=48, BM=32, BN=32, BK=16, SPLIT_BUG=False)
    return {"ok": torch.allclose(c, a @ b, atol=1e-4, rtol=1e-4)}


@scenario
def matmul_colliding_blocks(k):
    a, b, c = torch.randn(64, 48), torch.randn(48, 64), torch.empty(64, 64)
    k["matmul"][(2, 2)](a, b, c, 64, 64, K=48, BM=32, BN=32, BK=16, SPLIT_BUG=True)


@scenario
def too_big_to_track(k):
    saved, sanitizer.MAX_GRANULES = sanitizer.MAX_GRANULES, 2  # the 4-float tensor is 4
    try:
        k["flag"][(3,)](torch.zeros(4))
    finally:
        sanitizer.MAX_GRANULES = saved


@scenario
def close_unpatches(k):
    from triton.runtime import interpreter
    patched = interpreter.GridExecutor.__call__
    SAN[0].close()
    restored = interpreter.GridExecutor.__call__ is not patched and all(
        getattr(interpreter.InterpreterBuilder, n).__module__ == interpreter.__name__
        for n in ("create_masked_load", "create_masked_store", "create_atomic_rmw"))
    SAN[0] = sanitizer.install()
    return {"restored": restored, "reinstalled": SAN[0] is not None}


def child_main():
    results, ks = {}, {f.__name__: triton.jit(f) for f in KERNELS}
    for name, fn in SCENARIOS.items():
        res = {"error": None}
        try:
            res.update(fn(ks) or {})
        except Exception as e:  # noqa: BLE001 - reported to the parent as data
            res["error"] = {"type": type(e).__name__, "message": str(e)}
        res["findings"], res["notes"] = SAN[0].take(), SAN[0].notes()
        results[name] = res
    print(json.dumps(results))


# ---- the tests (parent process) ----

@pytest.fixture(scope="module")
def runs():
    env = {**os.environ, "TRITON_INTERPRET": "1"}
    p = subprocess.run([sys.executable, __file__], capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def codes(run):
    return sorted({f["code"] for f in run["findings"]})


def messages(run, code):
    return [f["message"] for f in run["findings"] if f["code"] == code]


def test_masked_kernels_and_atomics_are_clean(runs):
    r = runs["masked_clean"]
    assert r["error"] is None and r["add_ok"] and r["sum_ok"]
    assert r["findings"] == [] and r["notes"] == []


def test_unmasked_tail_store_is_stopped_before_it_writes(runs):
    r = runs["tail_store"]
    assert [f["code"] for f in r["findings"]] == ["oob_store"]
    f = r["findings"][0]
    assert r["error"] == {"type": "SanitizerError", "message": f["message"]}
    assert f["kernel"] == "add" and isinstance(f["launch"], int)
    assert "kernel add" in f["message"] and "program (3, 0, 0)" in f["message"]
    assert "byte offset +4000 of argument 'out' (element 1000" in f["message"]
    m = runs["tail_store_memory"]
    assert m["beyond_untouched"] and m["refused_store_untouched"] and m["earlier_programs_ok"]


def test_unmasked_tail_load_is_oob_load(runs):
    r = runs["tail_load"]
    assert codes(r) == ["oob_load"] and r["error"]["type"] == "SanitizerError"
    assert "oob_load in kernel add" in r["error"]["message"] and "argument 'x'" in r["error"]["message"]


def test_a_view_may_reach_anywhere_in_its_storage(runs):
    r = runs["view_slack"]
    assert r["error"] is None and r["findings"] == []


def test_partial_sums_by_load_add_store_race(runs):
    r = runs["partial_sums_plain"]
    assert r["error"] is None and codes(r) == ["race_read_write", "race_write_write"]
    assert all("kernel total" in f["message"] for f in r["findings"])
    assert "programs (0, 0, 0) and (1, 0, 0) both store to byte offset +0 of argument 'out'" in \
        messages(r, "race_write_write")[0]


def test_same_value_same_place_is_write_write(runs):
    assert codes(runs["same_value_same_place"]) == ["race_write_write"]
    assert runs["one_program_flag"]["findings"] == []


def test_reading_a_neighbours_output_is_read_write(runs):
    r = runs["neighbour_read"]
    assert codes(r) == ["race_read_write"]
    assert "program (1, 0, 0) stores to byte offset +64 of argument 'x' (element 16" in r["findings"][0]["message"]
    assert "program (0, 0, 0) loads it" in r["findings"][0]["message"]
    assert runs["own_read_after_write"]["findings"] == []  # same-program read-after-write is fine


def test_2d_grid_with_a_loop_over_column_blocks(runs):
    r = runs["softmax_2d_grid_clean"]
    assert r["error"] is None and r["ok"] and r["findings"] == []
    # two programs per row group (y = 0, 1) write the same rows: named with 2-D program ids
    d = runs["softmax_2d_grid_duplicated"]
    assert codes(d) == ["race_write_write"] and "programs (0, 0, 0) and (0, 1, 0)" in d["findings"][0]["message"]


def test_matmul_with_dot(runs):
    assert runs["matmul_clean"]["ok"] and runs["matmul_clean"]["findings"] == []
    r = runs["matmul_colliding_blocks"]
    assert codes(r) == ["race_write_write"] and "programs (0, 0, 0) and (0, 1, 0)" in r["findings"][0]["message"]


def test_too_big_to_track_says_so(runs):
    r = runs["too_big_to_track"]
    assert r["findings"] == [] and any("flag" in n and "not checked" in n for n in r["notes"])


def test_close_unpatches(runs):
    assert runs["close_unpatches"] == {"error": None, "restored": True, "reinstalled": True,
                                       "findings": [], "notes": []}


def test_install_needs_the_interpreter(monkeypatch):
    monkeypatch.delenv("TRITON_INTERPRET", raising=False)
    assert sanitizer.install() is None and "TRITON_INTERPRET" in sanitizer.unavailable_reason()


if __name__ == "__main__":  # the child: interpreter mode before triton is imported
    os.environ["TRITON_INTERPRET"] = "1"
    import numpy as np
    import torch
    import triton
    import triton.language as tl
    SAN = [sanitizer.install()]
    assert SAN[0] is not None, sanitizer.unavailable_reason()
    child_main()

"""RunStore on real SQLite files: round trips, dedupe, resume lookups, the secret guard, SIGKILL safety."""
from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kopt.store import RunStore, StoreError

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-test-0123456789abcdefSECRET"


def verdict(status="correct", speedup=1.5, n_kernels=2, reason="ok"):
    return {"status": status, "reason": reason, "candidate_ms": 1.0, "reference_ms": speedup,
            "speedup": speedup, "kernels": [{"name": f"k{i}", "launches": 1, "grid": [1]}
                                            for i in range(n_kernels)]}


def llm(store, round=0, lane=0, reply="reply", pt=10, ct=5, **kw):
    return store.record_llm_call(round, lane, [{"role": "user", "content": f"r{round} l{lane}"}],
                                 reply, "stop", pt, ct, "gpt-test", 0.25, **kw)


@pytest.fixture
def store(tmp_path):
    s = RunStore.create(tmp_path / "run", {"problem": "p.py", "options": {"lanes": 2}})
    yield s
    s.close()


def test_create_open_round_trip(tmp_path):
    run = tmp_path / "run"
    s = RunStore.create(run, {"problem": "eval_suite/l1/relu.py", "options": {"rounds": 3}})
    cid, new = s.add_candidate(0, 1, "print('hi')\n", "llm")
    s.record_verdict(cid, verdict())
    llm(s)
    s.close()
    assert (run / "run.sqlite").is_file() and (run / "candidates").is_dir()
    s = RunStore.open(run)
    assert s.run_dir == run
    m = s.meta()
    assert m["problem"] == "eval_suite/l1/relu.py" and m["options"] == {"rounds": 3}
    assert m["status"] == "running" and isinstance(m["created"], float)
    c = s.candidate(cid)
    assert (c["id"], c["round"], c["lane"], c["origin"], c["parent"]) == (1, 0, 1, "llm", None)
    assert c["status"] == "correct" and c["verdict"] == verdict() and c["kernels"] == 2
    assert (c["speedup"], c["candidate_ms"], c["reference_ms"]) == (1.5, 1.0, 1.5)
    assert c["sha256"] == hashlib.sha256(b"print('hi')\n").hexdigest()
    assert s.usage() == {"prompt_tokens": 10, "completion_tokens": 5, "calls": 1}
    s.close()


def test_create_on_existing_run_fails(tmp_path, store):
    with pytest.raises(StoreError, match="already holds a kopt run"):
        RunStore.create(store.run_dir, {"problem": "other.py"})
    assert store.meta()["problem"] == "p.py"  # untouched
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StoreError, match="not a directory"):
        RunStore.create(tmp_path / "afile", {})


def test_create_in_existing_empty_dir_is_fine(tmp_path):
    (tmp_path / "run").mkdir()
    RunStore.create(tmp_path / "run", {}).close()
    RunStore.open(tmp_path / "run").close()


def test_open_non_run_dir_fails_readably(tmp_path):
    with pytest.raises(StoreError, match="is not a directory"):
        RunStore.open(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(StoreError, match="not a kopt run directory"):
        RunStore.open(empty)
    assert not (empty / "run.sqlite").exists()  # open never creates a database
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "run.sqlite").write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="corrupt or not a SQLite database"):
        RunStore.open(junk)
    other = tmp_path / "other"
    other.mkdir()
    sqlite3.connect(other / "run.sqlite").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StoreError, match="holds no kopt run"):
        RunStore.open(other)
    with pytest.raises(StoreError, match="corrupt or not a SQLite database"):
        RunStore.create(junk, {})  # create refuses to overwrite an unreadable db too


def test_add_candidate_dedupes_by_content(store):
    a, new_a = store.add_candidate(0, 0, "x = 1\n", "llm")
    b, new_b = store.add_candidate(0, 1, "x = 2\n", "llm", parent=a)
    again, new_again = store.add_candidate(3, 2, "x = 1\n", "repair")
    assert (a, new_a, b, new_b) == (1, True, 2, True)
    assert (again, new_again) == (a, False)
    assert [c["id"] for c in store.candidates()] == [1, 2]
    assert store.candidate(a)["round"] == 0 and store.candidate(b)["parent"] == a
    with pytest.raises(StoreError, match="no candidate 99"):
        store.candidate(99)


def test_candidate_source_file_is_exact(store):
    src = "import torch\r\n# ünïcode ✓\n\tdef f():  \n        return 1\n"  # CRLF, tabs, trailing spaces
    cid, _ = store.add_candidate(0, 0, src, "llm")
    p = Path(store.candidate(cid)["path"])
    assert p == store.run_dir / "candidates" / "c0001.py"
    assert p.read_bytes() == src.encode("utf-8")
    assert not [f for f in p.parent.iterdir() if f.name.startswith(".tmp-")]


def test_pending_and_record_verdict(store):
    ids = [store.add_candidate(0, i, f"v = {i}\n", "llm")[0] for i in range(3)]
    assert [c["id"] for c in store.pending()] == ids
    assert store.candidate(ids[0])["status"] == "pending" and store.candidate(ids[0])["verdict"] is None
    store.record_verdict(ids[1], verdict("incorrect", speedup=None, n_kernels=0, reason="mismatch"))
    assert [c["id"] for c in store.pending()] == [ids[0], ids[2]]
    assert store.candidate(ids[1])["status"] == "incorrect"
    with pytest.raises(StoreError, match="already has a verdict"):
        store.record_verdict(ids[1], verdict())
    with pytest.raises(StoreError, match="no candidate"):
        store.record_verdict(42, verdict())
    with pytest.raises(StoreError, match="status"):
        store.record_verdict(ids[0], {"reason": "no status"})
    store.record_verdict(ids[0], verdict())
    store.record_verdict(ids[2], verdict())
    assert store.pending() == []


def test_best_ranking(store):
    assert store.best() is None
    specs = [("correct", 1.2), ("incorrect", 9.0), ("correct", 3.0), ("rejected", 50.0),
             ("correct", 3.0), ("correct", None), ("timeout", None)]
    for i, (status, sp) in enumerate(specs):
        cid, _ = store.add_candidate(1, i, f"c = {i}\n", "llm")
        store.record_verdict(cid, verdict(status, speedup=sp, n_kernels=i))
    store.add_candidate(2, 0, "unjudged = 1\n", "llm")
    assert store.best()["id"] == 3  # highest correct speedup; tie with 5 goes to the earlier one
    store.update_meta(winner=6)  # once a winner is written, best is that candidate (kopt.ranking otherwise)
    assert store.best()["id"] == 6
    store.update_meta(winner=None)
    s = store.summary()
    assert s["counts"] == {"correct": 4, "incorrect": 1, "rejected": 1, "timeout": 1, "pending": 1}
    assert s["candidates"] == 8 and s["best"]["id"] == 3 and s["meta"]["problem"] == "p.py"


def test_usage_totals(store):
    assert store.usage() == {"prompt_tokens": 0, "completion_tokens": 0, "calls": 0}
    llm(store, 0, 0, pt=100, ct=20)
    llm(store, 0, 1, pt=200, ct=30, usage_estimated=True)
    llm(store, 1, 0, pt=7, ct=3)
    assert store.usage() == {"prompt_tokens": 307, "completion_tokens": 53, "calls": 3}
    assert store.summary()["usage"]["calls"] == 3
    assert [c["usage_estimated"] for c in store.llm_calls()] == [False, True, False]


def test_llm_call_lookup(store):
    assert store.llm_call(0, 0) is None
    llm(store, 0, 0, reply="first")
    llm(store, 0, 1, reply="other lane")
    llm(store, 0, 0, reply="repair 1")
    llm(store, 1, 0, reply="next round")
    got = store.llm_call(0, 0, attempt=1)
    assert got["reply_text"] == "repair 1" and got["attempt"] == 1
    assert got["messages"] == [{"role": "user", "content": "r0 l0"}]
    assert (got["finish_reason"], got["model"], got["elapsed_s"]) == ("stop", "gpt-test", 0.25)
    assert store.llm_call(0, 0)["reply_text"] == "first"
    assert store.llm_call(0, 1)["reply_text"] == "other lane"
    assert store.llm_call(1, 0, 0)["reply_text"] == "next round"
    assert store.llm_call(0, 0, 2) is None and store.llm_call(2, 0) is None
    with pytest.raises(StoreError, match="already stored"):
        llm(store, 0, 0, attempt=1)
    assert [c["reply_text"] for c in store.llm_calls()] == ["first", "other lane", "repair 1", "next round"]


def test_meta_update(store):
    store.update_meta(status="finished", finished=123.5, best=3, options={"rounds": 9})
    store.update_meta(note=None)
    m = store.meta()
    assert (m["status"], m["finished"], m["best"], m["options"], m["note"]) == \
        ("finished", 123.5, 3, {"rounds": 9}, None)
    assert m["problem"] == "p.py"
    with pytest.raises(StoreError, match="JSON"):
        store.update_meta(bad=object())
    assert "bad" not in store.meta()


def test_api_key_guard(store, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with pytest.raises(StoreError, match="OPENAI_API_KEY"):
        store.record_llm_call(0, 0, [{"role": "system", "content": f"key={KEY}"}], "r", "stop", 1, 1, "m", 0.1)
    with pytest.raises(StoreError, match="OPENAI_API_KEY"):
        store.record_llm_call(0, 0, [{"role": "user", "content": "hi"}], f"here: {KEY}", "stop", 1, 1, "m", 0.1)
    with pytest.raises(StoreError, match="OPENAI_API_KEY"):
        store.update_meta(options={"env": [{"k": KEY}]})
    with pytest.raises(StoreError, match="OPENAI_API_KEY"):
        RunStore.create(store.run_dir.parent / "run2", {"api_key": KEY})
    with pytest.raises(StoreError, match="OPENAI_API_KEY"):
        store.add_candidate(0, 0, f"KEY = '{KEY}'\n", "llm")
    assert store.llm_calls() == [] and store.meta()["options"] == {"lanes": 2} and store.candidates() == []
    assert not (store.run_dir.parent / "run2").exists()
    # A hostile candidate may echo the environment in its error: redacted, not a crash.
    cid, _ = store.add_candidate(0, 0, "import os\n", "llm")
    store.record_verdict(cid, verdict("runtime_error", reason=f"KeyError: {dict(os.environ)}"))
    assert KEY not in json.dumps(store.candidate(cid)["verdict"])
    llm(store)  # clean data still goes in
    store.close()
    for f in store.run_dir.rglob("*"):
        if f.is_file():
            assert KEY.encode() not in f.read_bytes(), f
    monkeypatch.setenv("OPENAI_API_KEY", "short")  # too short to guard against: would match noise
    s = RunStore.open(store.run_dir)
    s.update_meta(note="short is fine")
    s.close()


CHILD = r"""
import random, sys
from pathlib import Path
from kopt.store import RunStore
s = RunStore.open(Path(sys.argv[1]))
rng = random.Random(int(sys.argv[2]))
def v(i):
    return {"status": rng.choice(["correct", "incorrect", "timeout"]), "reason": "r" * rng.randint(1, 5000),
            "candidate_ms": 1.0, "reference_ms": 2.0, "speedup": 2.0,
            "kernels": [{"name": "k", "launches": 1, "grid": [i]}] * (i % 4)}
for c in s.pending():  # resume: judge what the last kill left unjudged
    s.record_verdict(c["id"], v(c["id"]))
print("ready", flush=True)
n = 0
while True:
    n += 1
    src = f"# child {sys.argv[2]} step {n}\n" + "y = 2\n" * rng.randint(1, 3000)
    cid, new = s.add_candidate(n, n % 3, src, "llm", parent=None)
    s.add_candidate(n, 0, src, "dup")  # identical source: must not create a row
    if new:
        s.record_verdict(cid, v(cid))
    s.record_llm_call(n, 0, [{"role": "user", "content": src}], "reply " * 100, "stop", 5, 5, "m", 0.1)
"""


def check_invariants(run: Path) -> list[dict]:
    s = RunStore.open(run)  # must open cleanly after every kill
    try:
        cands = s.candidates()
        assert [c["id"] for c in cands] == list(range(1, len(cands) + 1)), "ids not consecutive"
        assert len({c["sha256"] for c in cands}) == len(cands)
        for c in cands:
            data = Path(c["path"]).read_bytes()  # every row has its file, complete
            assert hashlib.sha256(data).hexdigest() == c["sha256"], c["id"]
            if c["verdict"] is None:
                assert c["status"] == "pending"
            else:
                v = c["verdict"]
                assert set(v) == {"status", "reason", "candidate_ms", "reference_ms", "speedup", "kernels"}
                assert v["status"] == c["status"] and len(v["kernels"]) == c["kernels"] == c["id"] % 4
        assert [c["id"] for c in s.pending()] == [c["id"] for c in cands if c["verdict"] is None]
        assert len(s.pending()) <= 1  # only the candidate being judged at the kill can be pending
        s.usage(), s.summary(), s.llm_calls()
        return cands
    finally:
        s.close()


def test_sigkill_at_random_moments_keeps_store_consistent(tmp_path):
    run = tmp_path / "run"
    RunStore.create(run, {"problem": "p.py"}).close()
    rng = random.Random(1234)
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    counts = []
    for i in range(6):
        p = subprocess.Popen([sys.executable, "-c", CHILD, str(run), str(i)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
        try:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
            time.sleep(rng.uniform(0.05, 0.4))
            assert p.poll() is None, p.stderr.read()  # still writing when killed
            p.send_signal(signal.SIGKILL)
        finally:
            p.kill()
            p.wait()
            p.stdout.close()
            p.stderr.close()
        assert p.returncode == -signal.SIGKILL
        counts.append(len(check_invariants(run)))
    assert counts == sorted(counts) and counts[-1] > 6  # progress across kills, nothing lost


def test_concurrent_record_verdict(store):
    ids = [store.add_candidate(0, i % 4, f"z = {i}\n", "llm")[0] for i in range(80)]
    barrier = threading.Barrier(4)
    errors = []

    def worker(k):
        try:
            barrier.wait()
            for cid in ids[k::4]:
                store.record_verdict(cid, verdict(speedup=float(cid), n_kernels=cid % 3))
                store.pending(), store.best()  # readers interleaved with writers
            for j in range(5):  # and concurrent adds: ids must stay consecutive
                store.add_candidate(1, k, f"thread {k} add {j}\n", "llm")
        except BaseException as e:  # surfaced below; a thread's exception would vanish otherwise
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    cands = store.candidates()
    assert [c["id"] for c in cands] == list(range(1, 101))
    assert all(c["status"] == "correct" and c["speedup"] == c["id"] for c in cands[:80])
    assert len(store.pending()) == 20 and store.best()["id"] == 80

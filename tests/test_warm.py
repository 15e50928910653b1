"""Warm workers (tools/warm.py): pairs started ahead are used once, by the right problem only,
and nothing of them outlives the pool. Real checks, real sandboxed workers."""
from __future__ import annotations

import os
import shutil

import pytest

from conftest import CORPUS
from kopt.tools import warm
from kopt.tools.judge import CheckOptions, check

PROB = CORPUS / "problems" / "tiny_mul_add.py"
CAND = CORPUS / "candidates" / "honest" / "tiny_mul_add__triton.py"
OPTS = CheckOptions(device="cpu", timeout=60, xcompile=None, unseen=1)


def _alive(token: str) -> bool:
    needle = f"KOPT_SANDBOX_TOKEN={token}".encode()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if needle in f.read():
                        return True
            except OSError:
                pass
    return False


@pytest.fixture
def pool():
    p = warm.enable(1)
    yield p
    warm.disable()


def _ready(pool) -> list:
    return [p for ps in pool._ready.values() for p in ps]


def test_second_check_takes_a_started_pair_and_each_pair_serves_one_check(pool, tmp_path):
    first = check(str(CAND), str(PROB), OPTS)
    assert first.status == "correct", first.reason
    assert first.isolation["warm_workers"] is False  # nothing was started before the first
    (waiting,) = _ready(pool)  # the first check started the second's pair
    second = check(str(CAND), str(PROB), OPTS)
    assert second.status == "correct", second.reason
    assert second.isolation["warm_workers"] is True
    assert second.isolation["worker_tokens"] == [waiting.ref.token, waiting.cand.token]
    # Single use: the first check's workers are gone, and the pair in the pool now is a new one.
    for t in first.isolation["worker_tokens"] + second.isolation["worker_tokens"]:
        assert not _alive(t), "a worker outlived its check"
    (next_pair,) = _ready(pool)
    assert next_pair.cand.token not in second.isolation["worker_tokens"]
    # A warm pair is faster to get going: its imports are done before the check starts.
    assert second.phases["imports"] < first.phases["imports"]
    tokens = [next_pair.ref.token, next_pair.cand.token]
    warm.disable()
    assert not any(_alive(t) for t in tokens), "the pool's waiting pair outlived it"


def test_a_pair_never_serves_another_problem_or_a_changed_file(pool, tmp_path):
    prob = tmp_path / "p.py"
    shutil.copy(PROB, prob)
    assert check(str(CAND), str(prob), OPTS).status == "correct"
    (old,) = _ready(pool)
    # Same path, new contents: the waiting pair was started (and hid the file) for the old one.
    prob.write_text(prob.read_text() + "\n# edited\n")
    v = check(str(CAND), str(prob), OPTS)
    assert v.status == "correct", v.reason
    assert v.isolation["warm_workers"] is False
    assert not _alive(old.cand.token)
    # Another problem: cold again, and the other problem's waiting pair is dropped.
    other = CORPUS / "problems" / "tiny_row_mean.py"
    v = check(str(CORPUS / "candidates" / "honest" / "tiny_row_mean__torch_sum.py"), str(other), OPTS)
    assert v.status == "correct", v.reason
    assert v.isolation["warm_workers"] is False
    assert pool.stats["discarded"] >= 2


def test_a_pair_that_died_while_waiting_is_not_used(pool):
    assert check(str(CAND), str(PROB), OPTS).status == "correct"
    (waiting,) = _ready(pool)
    waiting.cand.kill()
    v = check(str(CAND), str(PROB), OPTS)
    assert v.status == "correct", v.reason
    assert v.isolation["warm_workers"] is False


def test_parallel_checks_that_fill_the_cores_get_no_warm_pairs():
    # Measured on 2 cores: jobs=2 with refills judged 5.7 candidates/min, 7.1 without.
    assert warm.worth_it(1, cores=2)
    assert not warm.worth_it(2, cores=2)
    assert not warm.worth_it(3, cores=8)
    assert warm.worth_it(2, cores=8)

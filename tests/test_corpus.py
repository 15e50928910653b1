"""The adversarial corpus through the real CLI: honest kernels pass, no cheat passes, hostile code is contained."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CORPUS, corpus_header, run_kopt

TIMEOUT = 20


def _cases(group: str):
    files = sorted((CORPUS / "candidates" / group).glob("*.py"))
    return [pytest.param(f, id=f.stem) for f in files]


def _check(cand: Path, timeout: float = TIMEOUT):
    problem = CORPUS / "problems" / corpus_header(cand)["problem"]
    res = run_kopt("check", str(cand), "--ref", str(problem), "--json", "--device", "cpu",
                   "--timeout", str(timeout), timeout=timeout + 60)
    return res, res.json


@pytest.mark.parametrize("cand", _cases("honest"))
def test_honest_candidate_is_correct(cand):
    res, v = _check(cand)
    assert v["status"] == "correct", f"{v['status']}: {v['reason']}\n{v.get('error')}"
    assert res.code == 0
    assert v["speedup"] > 0 and v["candidate_ms"] > 0 and v["reference_ms"] > 0


@pytest.mark.parametrize("cand", _cases("cheat"))
def test_cheat_is_not_correct(cand):
    res, v = _check(cand)
    assert v["status"] != "correct", f"a cheat passed: {cand.name}"
    assert v["status"] in ("incorrect", "rejected", "runtime_error", "compile_error", "timeout")
    assert res.code == 1
    assert res.wall < TIMEOUT + 15


@pytest.mark.parametrize("cand", _cases("hostile"))
def test_hostile_candidate_is_contained(cand, tmp_path):
    secret = "sk-kopt-test-SECRET-0123456789"
    marker_dirs = [Path("/tmp"), Path.home(), Path(__file__).parent]
    before = {p: set(os.listdir(p)) for p in marker_dirs}
    problem = CORPUS / "problems" / corpus_header(cand)["problem"]
    res = run_kopt("check", str(cand), "--ref", str(problem), "--json", "--device", "cpu",
                   "--timeout", "10", timeout=90, env={"OPENAI_API_KEY": secret, "KOPT_TEST_TOKEN": secret})
    v = res.json
    assert res.wall < 10 + 15, f"took {res.wall:.1f} s"
    assert v["status"] != "correct" or corpus_header(cand)["expect"] == "contained"
    assert secret not in res.stdout and secret not in res.stderr
    for p in marker_dirs:
        new = {n for n in set(os.listdir(p)) - before[p] if "pwned" in n or "kopt_" in n and "kopt-" not in n}
        assert not new, f"the candidate wrote {new} in {p}"

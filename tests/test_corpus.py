"""The adversarial corpus through the real CLI: honest kernels pass, no cheat passes, hostile code is contained."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CORPUS, corpus_header, run_kopt

TIMEOUT = 20
# An honest candidate that runs out of time before any unseen configuration is a `timeout`
# (not correct with a warning), and torch.compile recompiles per shape: room for a busy machine.
HONEST_TIMEOUT = 45


def _cases(group: str):
    files = sorted((CORPUS / "candidates" / group).glob("*.py"))
    return [pytest.param(f, id=f.stem) for f in files]


def _check(cand: Path, timeout: float = TIMEOUT, env: dict | None = None, *extra: str):
    header = corpus_header(cand)
    problem = CORPUS / "problems" / header["problem"]
    if header.get("final") == "1":  # behaves differently without kopt around: the plain-process check
        extra += ("--final",)
    if header.get("xcompile") == "1":  # only the GPU compiler can catch it
        extra = tuple(x for x in extra if x != "--no-xcompile")
    res = run_kopt("check", str(cand), "--ref", str(problem), "--json", "--device", "cpu",
                   "--timeout", str(timeout), *extra, timeout=timeout + 60, env=env)
    return res, res.json


@pytest.mark.parametrize("cand", _cases("honest"))
def test_honest_candidate_is_correct(cand):
    res, v = _check(cand, HONEST_TIMEOUT)
    assert v["status"] == "correct", f"{v['status']}: {v['reason']}\n{v.get('error')}"
    assert res.code == 0
    assert v["speedup"] > 0 and v["candidate_ms"] > 0 and v["reference_ms"] > 0
    if "torch.compile" in cand.read_text():  # it compiles again per configuration: twice the budget
        assert any(f"doubled to {2 * HONEST_TIMEOUT:g} s" in w for w in v["warnings"]), v["warnings"]


@pytest.mark.parametrize("cand", _cases("cheat"))
def test_cheat_is_not_correct_even_without_the_static_scan(cand):
    # With the scan on, a cheat is either rejected before it runs or runs exactly like this;
    # so proving the runtime layers alone stop it proves the default stops it too.
    # Cross-compiling for a GPU is not one of the layers under test here (tests/test_xcompile.py
    # covers it), and skipping it keeps CI inside its time budget.
    res, v = _check(cand, TIMEOUT, {"KOPT_TEST_SKIP_STATIC_SCAN": "1"}, "--no-xcompile")
    assert v["status"] != "correct", f"a cheat passed: {cand.name}"
    if cand.name.startswith("cfg_") and corpus_header(cand).get("names_config") == "1":
        assert v["reason"].startswith("wrong at ") or " at " in v["reason"], v["reason"]
    assert v["status"] in ("incorrect", "rejected", "runtime_error", "compile_error", "timeout")
    assert res.code == 1
    assert res.wall < TIMEOUT + 15


def _sandbox_processes(tokens: list[str]) -> list[int]:
    """Processes still carrying one of this check's worker tokens (none may outlive it)."""
    needles = [f"KOPT_SANDBOX_TOKEN={t}".encode() for t in tokens]
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    env = f.read()
                if any(n in env for n in needles):
                    found.append(int(pid))
            except OSError:
                pass
    return found


def _pwned_files() -> set[str]:
    places = [Path("/tmp"), Path("/dev/shm"), Path.home(), Path(__file__).parent, CORPUS.parent.parent]
    return {str(p / n) for p in places if p.is_dir() for n in os.listdir(p) if "pwned" in n}


@pytest.mark.parametrize("cand", _cases("hostile"))
def test_hostile_candidate_is_contained(cand):
    # The static scan would reject most of these before they run; turn it off so that the
    # sandbox itself is what is tested.
    secret = "sk-kopt-test-SECRET-0123456789"
    before = _pwned_files()
    problem = CORPUS / "problems" / corpus_header(cand)["problem"]
    res = run_kopt("check", str(cand), "--ref", str(problem), "--json", "--device", "cpu", "--timeout", "8",
                   timeout=90, env={"OPENAI_API_KEY": secret, "KOPT_TEST_TOKEN": secret,
                                    "KOPT_TEST_SKIP_STATIC_SCAN": "1"})
    v = res.json  # kopt itself survived and answered
    assert v["status"] in ("correct", "incorrect", "rejected", "runtime_error", "compile_error", "timeout")
    if corpus_header(cand).get("verdict") == "not_correct":  # its forward hangs, crashes or floods
        assert v["status"] != "correct", f"{cand.name} cannot give right answers, yet it passed"
    assert res.wall < 8 + 8, f"took {res.wall:.1f} s"
    assert secret not in res.stdout and secret not in res.stderr
    assert _pwned_files() - before == set(), "the candidate wrote outside its directory"
    tokens = v.get("isolation", {}).get("worker_tokens") or []
    assert _sandbox_processes(tokens) == [], "a sandboxed process outlived the check"


# Cheats whose mechanism is reaching what a kernel has no use for (the judge's modules, frames,
# library functions, modes, the device, native threads): the static scan must flag every one.
# The others (wrong numbers, caches, layouts, lifetimes) are plain Python the runtime layers catch.
STATIC = ("patch_", "steal_", "frame_", "inspect_", "spoof_", "trust_rebind", "trust_frame", "trust_behaves",
          "torch_dispatch", "torch_function", "gpu_device_branch", "lifetime_jit_fork", "tensor_subclass", "trust_forged",
          "lazy_subclass", "side_stream", "daemon_", "background_thread", "tmp_file", "rate_detect", "stack_detect")


def test_static_scan_flags_every_reaching_cheat_every_hostile_file_and_no_honest_candidate():
    from kopt.tools.integrity import scan_source
    honest = [f.name for f in (CORPUS / "candidates" / "honest").glob("*.py") if scan_source(f.read_text())]
    assert honest == []
    reaching = [f for f in (CORPUS / "candidates" / "cheat").glob("*.py") if f.name.startswith(STATIC)]
    assert len(reaching) >= 38
    assert [f.name for f in reaching if not scan_source(f.read_text())] == []
    hostile = list((CORPUS / "candidates" / "hostile").glob("*.py"))
    assert [f.name for f in hostile if not scan_source(f.read_text())] == []


def test_static_scan_rejects_hostile_code_before_it_runs():
    """With the scan on (the default), candidates that import os/ctypes/threading never start."""
    cand = CORPUS / "candidates" / "hostile" / "fork_bomb_bounded.py"
    res, v = _check(cand)
    assert v["status"] == "rejected" and v["findings"] and res.wall < 3

"""GPU-only checks: the honest corpus with --device cuda. Skipped, with the reason, without a GPU."""
from __future__ import annotations

import os

import pytest

from conftest import CORPUS, corpus_header, run_kopt

HAS_GPU = os.path.exists("/dev/nvidiactl")
pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not HAS_GPU, reason="no NVIDIA GPU on this machine (/dev/nvidiactl absent)")]


@pytest.mark.parametrize("cand", sorted((CORPUS / "candidates" / "honest").glob("*.py")), ids=lambda p: p.stem)
def test_honest_candidate_is_correct_on_cuda(cand):
    problem = CORPUS / "problems" / corpus_header(cand)["problem"]
    res = run_kopt("check", str(cand), "--ref", str(problem), "--json", "--device", "cuda", "--timeout", "120",
                   timeout=200)
    v = res.json
    assert v["status"] == "correct", f"{v['status']}: {v['reason']}"
    assert v["timing"]["clock"].startswith("cuda events")
    assert v["timing"]["candidate"]["n"] >= 10


@pytest.mark.parametrize("name", ["background_thread_write", "side_stream_or_thread", "empty_like_reused_memory",
                                  "cache_by_data_ptr", "patch_cuda_event_sync"])
def test_gpu_cheats_are_not_correct(name):
    cand = CORPUS / "candidates" / "cheat" / f"{name}.py"
    problem = CORPUS / "problems" / corpus_header(cand)["problem"]
    res = run_kopt("check", str(cand), "--ref", str(problem), "--json", "--device", "cuda", "--timeout", "120",
                   env={"KOPT_TEST_SKIP_STATIC_SCAN": "1"}, timeout=200)
    assert res.json["status"] != "correct"

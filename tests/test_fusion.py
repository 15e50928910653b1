"""The built-in fusion compiler: what it fuses, and that every kernel it writes passes the real judge.

Generated files are checked with `kopt check` (real sandbox, Triton interpreter on CPU). Problems
in tests/fusion_problems use awkward shapes on purpose: odd and prime sizes, rows longer than one
register block (looped kernels), middle-dim reductions, broadcasts, bf16, ignored targets.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ROOT, run_kopt
from kopt.agent.fusion.common import Variant
from kopt.agent.fusion.groups import partition
from kopt.agent.fusion.ir import capture
from kopt.agent.fusion.module import generate
from kopt.agent.fusion.proposer import variants, why_not

PROBLEMS = ROOT / "tests" / "fusion_problems"
SUITE = ROOT / "eval_suite"

# (problem, variant label or tunables, kernel names expected in the judge's launch record)
CASES = [
    ("broadcast_chain", "default", ["k0_sigmoid"]),
    ("sum_middle_dim", "default", ["k0_sum_tanh"]),
    ("long_softmax", "default", ["k0_max_exp_sum"]),              # looped: 10007 > one block
    ("long_argmax_cumsum", "default", ["k0_argmax_cumsum_max"]),
    ("linear_odd", "unfused-epilogue", ["k0_matmul", "k1_relu"]),
    ("layer_norm_two_dims", "default", ["k0_sum_rsqrt_gelu"]),
    ("cross_entropy_ignore", "default", None),   # checked in its own test below
    ("rmsnorm_bf16", "default", ["k0_sum_rsqrt"]),
]
SUITE_CASES = ["level1/20_gemv_decode_bf16", "level2/14_conv2d_bias_relu"]


def _variant(g, spec) -> Variant:
    if isinstance(spec, dict):
        return replace(variants(g, "cpu")[0], label="custom", **spec)
    found = [v for v in variants(g, "cpu") if v.label == spec]
    assert found, f"no variant {spec}: {[v.label for v in variants(g, 'cpu')]}"
    return found[0]


def _check(problem: Path, spec, out_dir: Path) -> tuple[dict, str]:
    g = capture(problem, "cpu")
    src, kernels = generate(g, problem.name, problem.read_text(), _variant(g, spec), "cpu")
    label = spec if isinstance(spec, str) else "custom"
    path = out_dir / f"{problem.stem}__{label}.py"
    path.write_text(src)
    res = run_kopt("check", "--ref", str(problem), str(path), "--device", "cpu", "--json", timeout=300)
    return res.json, src


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """All cases judged up front, two at a time (the machine has two cores)."""
    out = tmp_path_factory.mktemp("fusion")
    jobs = [(PROBLEMS / f"{p}.py", spec) for p, spec, _ in CASES] + \
           [(SUITE / f"{p}.py", "default") for p in SUITE_CASES]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda j: _check(j[0], j[1], out), jobs))
    return {(j[0].stem, str(j[1])): r for j, r in zip(jobs, results)}


@pytest.mark.parametrize("problem,spec,kernels", CASES, ids=[f"{p}-{s}" for p, s, _ in CASES])
def test_generated_kernels_pass_the_judge(verdicts, problem, spec, kernels):
    v, src = verdicts[(problem, str(spec))]
    assert v["status"] == "correct", (v.get("reason"), v.get("error"), src)
    if kernels is not None:
        assert [k["name"] for k in v["kernels"]] == kernels


@pytest.mark.parametrize("problem", SUITE_CASES)
def test_suite_problems_compile_to_correct_own_kernels(verdicts, problem):
    v, src = verdicts[(Path(problem).name, "default")]
    assert v["status"] == "correct", (v.get("reason"), v.get("error"))
    assert v["kernels"], "the candidate must run its own Triton kernels"
    assert "class ModelNew(Model)" in src and "@triton.jit" in src


def _groups(name: str, root=PROBLEMS):
    g = capture(root / f"{name}.py", "cpu")
    return g, partition(g)


def test_layer_norm_with_gelu_is_one_row_kernel():
    g, groups = _groups("layer_norm_two_dims")
    assert [(G.kind, G.dims) for G in groups] == [("rows", [2, 3])]
    fns = [g[m].get("fn") for m in groups[0].members]
    assert fns.count("sum") == 2 and "gelu" in fns and "rsqrt" in fns


def test_linear_epilogue_folds_into_the_matmul():
    g, groups = _groups("linear_odd")
    assert [G.kind for G in groups] == ["mm"]
    assert [g[m].get("fn") for m in groups[0].members[1:]] == ["add", "relu", "mul"]


def test_cross_entropy_fuses_log_softmax_and_the_target_pick():
    g, groups = _groups("cross_entropy_ignore")
    first = max(groups, key=lambda G: len(G.members))
    ops = [g[m]["op"] for m in first.members]
    assert first.kind == "rows" and "iota" in ops and ops.count("reduce") >= 3
    # the per-row kernel (log-softmax and the target pick), then the masked mean over rows
    assert len(groups) <= 3 and all(G.kind == "rows" for G in groups)


def test_conv_stays_in_pytorch_and_its_tail_is_fused():
    g, groups = _groups("14_conv2d_bias_relu", SUITE / "level2")
    assert any(g[r]["op"] == "torch" and "convolution" in g[r]["target"] for r in g.order)
    assert [G.kind for G in groups] == ["pointwise"]
    assert {g[m]["fn"] for m in groups[0].members} == {"add", "relu"}


def test_pool_only_problem_says_why():
    g = capture(PROBLEMS / "pool_only.py", "cpu")
    reason = why_not(g)
    assert reason and "max_pool2d" in reason and "no Triton lowering" in reason


def test_variants_cover_tiles_and_forms():
    g = capture(PROBLEMS / "long_softmax.py", "cpu")
    labels = [v.label for v in variants(g, "cpu")]
    assert labels[0] == "default" and variants(g, "cpu")[0].row_block > 0 and "whole-row" in labels
    g = capture(PROBLEMS / "linear_odd.py", "cpu")
    labels = [v.label for v in variants(g, "cpu")]
    assert "unfused-epilogue" in labels and "ieee-fp32-dot" in labels and len(labels) >= 5


def test_broken_problem_is_a_clear_capture_error(tmp_path):
    from kopt.agent.fusion.ir import CaptureError
    bad = tmp_path / "bad.py"
    bad.write_text("import torch\nclass Model(torch.nn.Module):\n    def forward(self, x):\n"
                   "        return x.nonexistent()\n\ndef get_inputs():\n    return [torch.randn(3)]\n\n"
                   "def get_init_inputs():\n    return []\n")
    with pytest.raises(CaptureError, match="nonexistent"):
        capture(bad, "cpu")


NO_LLM = {"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "KOPT_MODEL": ""}


def test_optimize_without_an_llm_uses_the_builtin_compiler(tmp_path):
    """The README's main job: no key, no GPU — `kopt optimize` (proposer auto) falls back to builtin."""
    out = tmp_path / "new" / "folder" / "out.py"  # --out's folder is created
    res = run_kopt("optimize", str(PROBLEMS / "linear_odd.py"), "--device", "cpu", "--budget", "1", "--json",
                   "--out", str(out), "--run-dir", str(tmp_path / "run"), timeout=600,
                   env={**NO_LLM, "HOME": str(tmp_path)})
    assert res.code == 0, res.stderr[-2000:]
    assert res.json["status"] == "verified_cpu" and res.json["candidates"] == 1
    text = out.read_text()
    assert "@triton.jit" in text and "def k0_matmul_relu(" in text and "class ModelNew(Model)" in text
    # the written file is itself a valid candidate
    again = run_kopt("check", "--ref", str(PROBLEMS / "linear_odd.py"), str(out), "--device", "cpu", "--json")
    assert again.json["status"] == "correct"


def test_optimize_says_why_when_nothing_can_be_fused(tmp_path):
    res = run_kopt("optimize", str(PROBLEMS / "pool_only.py"), "--proposer", "builtin", "--device", "cpu",
                   "--json", "--out", str(tmp_path / "out.py"), "--run-dir", str(tmp_path / "run"), timeout=300)
    assert res.code == 1 and "Traceback" not in res.stderr
    assert res.json["status"] == "nothing_verified"
    assert "max_pool2d" in res.json["stop_reason"] and "no Triton lowering" in res.json["stop_reason"]
    assert not (tmp_path / "out.py").exists()


def test_auto_seeds_the_llm_with_the_compilers_guess(tmp_path):
    """With a model configured, round one judges the LLM's reply and the compiler's default variant."""
    from llm_server import ScriptedServer
    from test_optimize import GOOD, PROBLEM, fence
    with ScriptedServer([{"content": fence(GOOD.read_text())}]) as srv:
        res = run_kopt("optimize", str(PROBLEM), "--base-url", srv.url, "--model", "scripted", "--device", "cpu",
                       "--budget", "2", "--json", "--out", str(tmp_path / "out.py"),
                       "--run-dir", str(tmp_path / "run"), timeout=600,
                       env={"OPENAI_API_KEY": "sk-test-000000", "HOME": str(tmp_path)})
    assert res.code == 0, res.stderr[-2000:]
    shown = run_kopt("show", str(tmp_path / "run"), "--json").json
    origins = sorted(c["origin"] for c in shown["candidates"])
    assert origins == ["builtin:default", "llm"], origins
    assert all(c["status"] == "correct" for c in shown["candidates"])


@pytest.mark.gpu
@pytest.mark.skipif(not Path("/dev/nvidiactl").exists(),
                    reason="no NVIDIA GPU on this machine (/dev/nvidiactl absent)")
@pytest.mark.parametrize("problem", ["level1/15_layer_norm", "level2/1_linear_bias_gelu"])
def test_builtin_on_a_gpu_finds_a_faster_verified_kernel(tmp_path, problem):
    out = tmp_path / "out.py"
    res = run_kopt("optimize", str(SUITE / f"{problem}.py"), "--proposer", "builtin", "--device", "cuda",
                   "--budget", "4", "--json", "--out", str(out), "--run-dir", str(tmp_path / "run"), timeout=900)
    assert res.json["best_status"] == "correct", res.stderr[-2000:]
    assert res.json["status"] in ("improved", "no_improvement")


def test_an_unwritable_out_keeps_the_winner(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")  # a file where the folder should be: --out cannot be written
    res = run_kopt("optimize", str(PROBLEMS / "broadcast_chain.py"), "--proposer", "builtin", "--device", "cpu",
                   "--budget", "1", "--json", "--out", str(blocked / "out.py"), "--run-dir", str(tmp_path / "run2"),
                   timeout=600)
    assert res.code == 1 and "Traceback" not in res.stderr
    assert res.json["status"] == "error" and "kept at" in res.json["message"]


def test_cpu_ranking_prefers_kernels_that_do_not_spill_on_the_gpu():
    from kopt.agent.loop import rank_key
    row = lambda spills, ms: {"candidate_ms": ms, "verdict": {"kernels": [{"name": "k0", "launches": 1}],
                                                             "xcompile": {"spills": spills}}}
    assert rank_key(row(False, 900.0), cpu=True) > rank_key(row(True, 100.0), cpu=True)
    assert rank_key(row(False, 100.0), cpu=True) > rank_key(row(False, 900.0), cpu=True)

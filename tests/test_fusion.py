"""The built-in fusion compiler: what it fuses, and that every kernel it writes passes the real judge.

Generated files are checked with `kopt check` (real sandbox, Triton interpreter on CPU). Problems
in tests/fusion_problems use awkward shapes on purpose: odd and prime sizes, rows longer than one
register block (looped kernels), middle-dim reductions, broadcasts, bf16, ignored targets.
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ROOT, run_kopt
from kopt.agent.fusion.common import Variant
from kopt.agent.fusion.groups import partition
from kopt.agent.fusion.ir import CaptureError, capture, capture_many
from kopt.agent.fusion.module import generate
from kopt.agent.fusion.proposer import variants, why_not

PROBLEMS = ROOT / "tests" / "fusion_problems"
SUITE = ROOT / "eval_suite"

# (problem, variant label or tunables, kernel names expected in the judge's launch record)
CASES = [
    ("broadcast_chain", "default", ["k0_sigmoid"]),
    ("sum_middle_dim", "default", ["k0_sum_tanh"]),
    ("long_softmax", "default", ["k0_max_exp_sum_looped"]),       # looped: 10007 > one block
    ("long_argmax_cumsum", "default", ["k0_argmax_cumsum_max_looped"]),
    ("linear_odd", "unfused-epilogue", ["k0_matmul", "k1_relu"]),
    ("layer_norm_two_dims", "default", ["k0_sum_rsqrt_gelu"]),
    ("cross_entropy_ignore", "default", None),   # checked in its own test below
    ("rmsnorm_bf16", "default", ["k0_sum_rsqrt"]),
    ("matmul_operand_residual", "default", ["k0_matmul_silu"]),          # x is read along K and per tile
    ("running_mean_middle_dim", {"row_cap": 0}, ["k0_cumsum"]),           # looped only: the carried scan
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
def test_builtin_on_a_gpu_writes_a_timed_verified_kernel(tmp_path, problem):
    # Whether it is faster than eager is a benchmark's question (benchmarks/builtin_speedup_gpu.py),
    # not a test's: here, the winner is verified on the GPU, timed there, and written.
    out = tmp_path / "out.py"
    res = run_kopt("optimize", str(SUITE / f"{problem}.py"), "--proposer", "builtin", "--device", "cuda",
                   "--budget", "4", "--json", "--out", str(out), "--run-dir", str(tmp_path / "run"), timeout=900)
    assert res.json["best_status"] == "correct", res.stderr[-2000:]
    assert res.json["status"] in ("improved", "no_improvement")
    assert isinstance(res.json.get("speedup"), (int, float)) and res.json["speedup"] > 0, res.json
    if res.json["status"] == "improved":
        assert out.exists()


def test_an_unwritable_out_keeps_the_winner(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")  # a file where the folder should be: --out cannot be written
    res = run_kopt("optimize", str(PROBLEMS / "broadcast_chain.py"), "--proposer", "builtin", "--device", "cpu",
                   "--budget", "1", "--json", "--out", str(blocked / "out.py"), "--run-dir", str(tmp_path / "run2"),
                   timeout=600)
    assert res.code == 1 and "Traceback" not in res.stderr
    assert res.json["status"] == "error" and "kept at" in res.json["message"]


def test_cpu_ranking_prefers_kernels_that_do_not_spill_on_the_gpu():
    from kopt.ranking import rank_key
    row = lambda spills, ms: {"candidate_ms": ms, "verdict": {"kernels": [{"name": "k0", "launches": 1}],
                                                             "xcompile": {"spills": spills}}}
    assert rank_key(row(False, 900.0), cpu=True) > rank_key(row(True, 100.0), cpu=True)
    assert rank_key(row(False, 100.0), cpu=True) > rank_key(row(False, 900.0), cpu=True)


def test_on_the_cpu_a_standing_is_the_proxy_never_an_interpreted_ratio():
    from kopt import ranking
    triton = {"id": 1, "status": "correct", "speedup": 0.0047, "candidate_ms": 900.0,
              "verdict": {"status": "correct", "kernels": [{"name": "k", "launches": 2}]}}
    torch_only = {"id": 2, "status": "correct", "speedup": 0.9, "candidate_ms": 5.0,
                  "verdict": {"status": "correct", "kernels": []}}
    assert ranking.shown(triton, cpu=True) == "own kernels, 2 launches/forward (CPU proxy)"
    assert ranking.shown(torch_only, cpu=True) == "plain PyTorch (CPU proxy)"
    assert ranking.shown(triton, cpu=False) == "0.0047x"
    assert ranking.best([triton, torch_only], cpu=True)["id"] == 1
    assert ranking.best([triton, torch_only], cpu=False)["id"] == 2
    assert [r["id"] for r in ranking.ordered([torch_only, triton], cpu=True)] == [1, 2]


# ------------------------------------------------------------------ other sizes and arguments
# Every suite problem the compiler handles gets a test of its own: its generated file is run at two
# configurations it was not traced at (other CPU_SIZES, other size literals, other float arguments),
# written here by plain text edits (not kopt.tools.sizing), and compared with the reference in
# process (tests/fusion_problems/at_configs.py). One capture process and two checking processes
# serve all problems, so the whole set costs about a minute.
SUITE_ALL = sorted(str(p.relative_to(SUITE))[:-3] for p in SUITE.glob("level[123]/*.py"))
AWKWARD = sorted(p.stem for p in PROBLEMS.glob("*.py") if p.stem not in ("at_configs", "pool_only"))


def _size(v: int, slot: int, attempt: int) -> int:
    f = 0.7 if slot == 0 else 1.35
    if attempt == 0:
        new = max(3, round(v * f) | 1)
    else:
        p = 8 if attempt == 1 else min(64, v & -v)
        new = max(p, round(v * f / p) * p)
    return new if new != v else new + (2 if attempt == 0 else max(8, v & -v))


def _float(v: float, slot: int) -> float:
    f = 0.7 if slot == 0 else 1.3
    if 0 < abs(v) < 1 <= abs(v * f):
        f = 0.85
    return float(f"{v * f:.4g}")


def reconfigured(source: str, slot: int, attempt: int) -> str:
    """The problem with other sizes (CPU_SIZES values, int literals >= 8 in get_inputs and
    get_init_inputs) and other float arguments (top-level floats, floats in get_init_inputs)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln))
    edits = []

    def edit(node, text):
        edits.append((starts[node.lineno - 1] + node.col_offset, starts[node.end_lineno - 1] + node.end_col_offset, text))

    cpu = next((ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                and isinstance(n.targets[0], ast.Name) and n.targets[0].id == "CPU_SIZES"), {})
    for node in tree.body:  # the sizes are written where the problem defines them; CPU_SIZES is dropped
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name == "CPU_SIZES":
                edit(node, "CPU_SIZES = {}")
            elif name in cpu:
                edit(node.value, str(_size(cpu[name], slot, attempt)))
            elif isinstance(node.value, ast.Constant) and type(node.value.value) is float and node.value.value:
                edit(node.value, repr(_float(node.value.value, slot)))
        if isinstance(node, ast.FunctionDef) and node.name in ("get_inputs", "get_init_inputs"):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Constant) and type(sub.value) is int and sub.value >= 8:
                    edit(sub, str(_size(sub.value, slot, attempt)))
                elif isinstance(sub, ast.Constant) and type(sub.value) is float and sub.value \
                        and node.name == "get_init_inputs":
                    edit(sub, repr(_float(sub.value, slot)))
    for a, b, text in sorted(edits, reverse=True):
        source = source[:a] + text + source[b:]
    return source


@pytest.fixture(scope="module")
def at_other_configs(tmp_path_factory):
    """{problem: (generated source or why not, [result per configuration])}."""
    out = tmp_path_factory.mktemp("configs")
    paths = [SUITE / f"{p}.py" for p in SUITE_ALL] + [PROBLEMS / f"{p}.py" for p in AWKWARD]
    halves = [paths[0::2], paths[1::2]]
    with ThreadPoolExecutor(2) as pool:
        graphs = {}
        for part in pool.map(lambda ps: capture_many(ps, "cpu"), halves):
            graphs.update(part)
    made, jobs = {}, []
    for p in paths:
        g = graphs.get(str(p))
        key = f"{p.parent.name}/{p.stem}"
        if isinstance(g, CaptureError) or g is None or why_not(g):
            made[key] = (None, str(g if not hasattr(g, "order") else why_not(g)))
            continue
        src, _ = generate(g, p.name, p.read_text(), variants(g, "cpu")[0], "cpu")
        cand = out / f"{p.parent.name}__{p.stem}_new.py"
        cand.write_text(src)
        slots = []
        for slot in (0, 1):
            tries = []
            for attempt in range(3):
                f = out / f"{p.parent.name}__{p.stem}_{slot}{attempt}.py"
                f.write_text(reconfigured(p.read_text(), slot, attempt))
                tries.append(str(f))
            slots.append(tries)
        made[key] = (src, [])
        jobs.append({"candidate": str(cand), "configs": slots, "key": key})
    env = {**os.environ, "TRITON_INTERPRET": "1"}

    def run(part):
        jf = out / f"jobs{id(part)}.json"
        jf.write_text(json.dumps(part))
        p = subprocess.run([sys.executable, str(PROBLEMS / "at_configs.py"), str(jf)], capture_output=True,
                           text=True, env=env, timeout=900)
        assert p.returncode == 0, p.stderr[-3000:]
        return json.loads(p.stdout.strip().splitlines()[-1])

    with ThreadPoolExecutor(2) as pool:
        for part, results in zip((jobs[0::2], jobs[1::2]), pool.map(run, (jobs[0::2], jobs[1::2]))):
            for job, k in zip(part, range(len(part))):
                made[job["key"]][1].extend(results[2 * k:2 * k + 2])
    return made


SPECIALISED = {"fusion_problems/size_power_scale"}  # a size-made constant with no run-time expression


def _check_configs(made, key):
    src, results = made[key]
    if src is None:
        pytest.skip(f"the compiler has nothing of its own here: {results}")
    assert len(results) == 2
    for r in results:
        assert "ref_failed" not in r, f"no usable configuration was written: {r}"
        assert r["match"], (r, Path(r["problem"]).read_text()[-600:])
    if key in SPECIALISED:  # right there only because the guard sends it to the reference
        assert "SPECIALISED to the judged configuration" in src and all(r["fell_back"] for r in results)
        return
    assert "SPECIALISED" not in src, src.split('"""')[1]
    assert not any(r["fell_back"] for r in results), "the generic file fell back to the reference"


@pytest.mark.parametrize("problem", SUITE_ALL)
def test_suite_file_is_right_at_other_sizes_and_arguments(at_other_configs, problem):
    _check_configs(at_other_configs, problem)


@pytest.mark.parametrize("problem", AWKWARD)
def test_awkward_file_is_right_at_other_sizes_and_arguments(at_other_configs, problem):
    _check_configs(at_other_configs, f"fusion_problems/{problem}")


def test_constructor_scalars_are_read_from_self():
    g = capture(PROBLEMS / "scale_by_attribute.py", "cpu")
    src, _ = generate(g, "scale_by_attribute.py", (PROBLEMS / "scale_by_attribute.py").read_text(),
                      variants(g, "cpu")[0], "cpu")
    forward = src.split("class ModelNew")[1]
    assert "self.temperature" in forward and "self.shift" in forward, forward
    kernels = src.split("def _bmn")[1].split("class ModelNew")[0]
    assert "0.25" not in kernels and "0.7" not in kernels and "211" not in kernels


def test_solver_explains_sizes_and_arguments():
    from kopt.agent.fusion.solve import Atom, Solver
    atoms = [Atom("x.shape[0]", (4, 6, 5), 0), Atom("x.shape[1]", (96, 39, 72), 0),
             Atom("self.heads", (3, 3, 3), 2), Atom("self.norm.eps", (1e-5, 0.99e-5, 0.98e-5), 2)]
    s = Solver(atoms)
    assert s.size((384, 234, 360)) == "x.shape[0] * x.shape[1]"
    assert s.size((32, 13, 24)) == "x.shape[1] // self.heads"
    assert s.size((288, 117, 216)) == "self.heads * x.shape[1]"
    assert s.scalar((1 / 96, 1 / 39, 1 / 72)) == "1.0 / x.shape[1]"
    assert s.scalar((1 / 32 ** 0.5, 1 / 13 ** 0.5, 1 / 24 ** 0.5)) == "1.0 / math.sqrt((x.shape[1] // self.heads))"
    assert s.scalar((1e-5, 0.99e-5, 0.98e-5)) == "self.norm.eps"
    assert s.scalar((1.0 / 3, 0.5, 0.25)) is None  # nothing explains it: the file is specialised


def test_graphs_of_another_structure_are_not_aligned():
    from kopt.agent.fusion.generic import misaligned
    node = {"id": "v1", "op": "ew", "fn": "mul", "args": ["v0", 2.0], "shape": [3], "stride": [1], "dtype": "float32"}
    base = {"inputs": ["v0"], "outputs": ["v1"], "single_output": True, "forward_args": ["x"], "nodes": [node]}
    assert misaligned(base, {**base, "nodes": [{**node, "args": ["v0", 3.5], "shape": [7], "stride": [1]}]}) is None
    assert "differs" in misaligned(base, {**base, "nodes": [{**node, "fn": "add"}]})
    assert "differs" in misaligned(base, {**base, "nodes": [{**node, "args": ["v0", 2]}]})


def test_a_compiler_bug_is_reported_as_such():
    """A generated file the judge cannot even run (a code-generation bug) ends the built-in
    proposer with its reason, instead of more rounds of the same failure."""
    from kopt.agent.fusion import proposer as P
    row = {"origin": "builtin:default", "verdict": {"status": "compile_error", "reason": "NameError: name 'r1'"}}
    assert "failed the judge (compile_error" in P.failure([row])
    gpu = {"origin": "builtin:mm-128x256", "verdict": {"status": "runtime_error", "reason": "out of resource: shared memory"}}
    assert P.failure([gpu]) is None  # one variant's tiles: the others are still tried


def test_capture_runs_under_a_memory_limit(tmp_path):
    big = tmp_path / "big.py"
    big.write_text("import torch\nn = int(2.3e4)\nclass Model(torch.nn.Module):\n    def forward(self, x):\n"
                   "        return x * 2\n\ndef get_inputs():\n    return [torch.randn(n, n)]\n\n"
                   "def get_init_inputs():\n    return []\n")
    with pytest.raises(CaptureError, match="address-space limit"):
        capture(big, "cpu", memory_gb=1.0)

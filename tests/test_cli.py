"""`kopt check` end to end through the real CLI: exit codes, JSON, readable errors."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, run_kopt

EXAMPLE = ROOT / "eval_suite" / "examples" / "silu_scale_residual.py"
EXAMPLE_CAND = ROOT / "eval_suite" / "examples" / "silu_scale_residual_triton.py"

PROBLEM = '''
import torch
import torch.nn as nn
n = 1000
class Model(nn.Module):
    def __init__(self):
        super().__init__()
    def forward(self, x):
        return torch.relu(x) * 2.0
def get_inputs():
    return [torch.randn(n)]
def get_init_inputs():
    return []
'''

GOOD = '''
import torch
import torch.nn as nn
class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
    def forward(self, x):
        return x.clamp_min(0) * 2.0
'''


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def check(cand, prob, *extra, timeout=20):
    return run_kopt("check", str(cand), "--ref", str(prob), "--json", "--device", "cpu",
                    "--timeout", str(timeout), *extra)


def test_shipped_example_is_correct_with_json_fields():
    res = check(EXAMPLE_CAND, EXAMPLE)
    v = res.json
    assert res.code == 0 and v["status"] == "correct"
    for key in ("status", "reason", "candidate_ms", "reference_ms", "speedup", "device"):
        assert key in v
    assert v["device"] == "cpu" and v["speedup"] > 0
    assert v["sizes"]["note"] == "CPU_SIZES" and v["sizes"]["changed"]["dim"] == [8192, 4687]
    assert "interpreter" in v["timing"]["note"]
    assert len(v["trials"]) >= 5 and all(t["match"] for t in v["trials"])


def test_readable_output_without_json():
    res = run_kopt("check", str(EXAMPLE_CAND), "--ref", str(EXAMPLE), "--device", "cpu")
    assert res.code == 0
    assert "CORRECT" in res.stdout and "speedup" in res.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(res.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("text, words", [
    (None, "does not exist"),
    ("def broken(:\n", "not valid Python"),
    ("import torch\nclass Model(torch.nn.Module):\n    pass\n", "get_inputs()"),
    (PROBLEM.replace("class Model", "class Other"), "class Model"),
])
def test_bad_problem_exits_2_with_a_paragraph(tmp_path, text, words):
    prob = tmp_path / "missing.py" if text is None else write(tmp_path, "p.py", text)
    cand = write(tmp_path, "c.py", GOOD)
    res = check(cand, prob)
    assert res.code == 2
    v = res.json
    assert v["status"] == "error" and words in v["reason"]
    assert "Traceback" not in v["reason"]
    human = run_kopt("check", str(cand), "--ref", str(prob), "--device", "cpu")
    flat = " ".join(human.stderr.replace("│", " ").split())  # undo the panel's line wrapping
    assert human.code == 2 and words in flat and "Traceback" not in flat


def test_reference_that_fails_to_run_exits_2(tmp_path):
    prob = write(tmp_path, "p.py", PROBLEM.replace("return torch.relu(x) * 2.0", "return x @ x.view(7, -1)"))
    res = check(write(tmp_path, "c.py", GOOD), prob)
    reason = res.json["reason"]
    assert res.code == 2 and "reference" in reason and "failed" in reason
    assert "Traceback" not in reason and "p.py line" in reason and "x.view(7, -1)" in reason


@pytest.mark.parametrize("text, status, words", [
    ("def x(:\n", "compile_error", "not valid Python"),
    ("import torch\nclass Other(torch.nn.Module):\n    pass\n", "compile_error", "ModelNew"),
    (GOOD.replace("def forward(self, x)", "def forward(self, x, y)"), "compile_error", "signature"),
    (GOOD.replace("def __init__(self)", "def __init__(self, a, b)"), "compile_error", "constructor"),
    (GOOD + "\nraise ImportError('no such thing')\n", "compile_error", "importing the candidate failed"),
    (GOOD.replace("return x.clamp_min(0) * 2.0", "raise ValueError('boom')"), "runtime_error", "boom"),
    (GOOD.replace("return x.clamp_min(0) * 2.0", "return x.clamp_min(0) * 2.01"), "incorrect", "tolerance"),
    (GOOD.replace("import torch\n", "import torch\nimport os\n"), "rejected", "imports `os`"),
])
def test_candidate_verdicts(tmp_path, text, status, words):
    res = check(write(tmp_path, "c.py", text), write(tmp_path, "p.py", PROBLEM))
    v = res.json
    assert v["status"] == status, v["reason"]
    assert words in v["reason"]
    assert res.code == 1


def test_an_error_names_the_candidates_line_even_inside_the_checkout(tmp_path):
    # Candidates of a run live in ./kopt-runs/ beside kopt's own folders; their frames are the
    # user's, so the reason still points at the line that raised.
    import shutil
    import uuid
    where = ROOT / "kopt-runs" / f"test-frame-{uuid.uuid4().hex[:8]}"
    where.mkdir(parents=True)
    try:
        text = GOOD.replace("return x.clamp_min(0) * 2.0", "raise ValueError('boom')")
        cand = write(where, "cand_in_runs.py", text)
        line = text.splitlines().index("        raise ValueError('boom')") + 1
        v = check(cand, write(tmp_path, "p.py", PROBLEM)).json
        assert v["status"] == "runtime_error"
        assert f"cand_in_runs.py line {line}" in v["reason"], v["reason"]
    finally:
        shutil.rmtree(where, ignore_errors=True)


NORM_PROBLEM = '''
import torch
import torch.nn as nn

N = 300


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x / torch.norm(x)


def get_inputs():
    return [torch.randn(N, N)]


def get_init_inputs():
    return []
'''


@pytest.mark.parametrize("problem, policy", [(PROBLEM, "without matmul"), (NORM_PROBLEM, "TF32-level")])
def test_tolerance_policy_follows_what_the_reference_runs(tmp_path, problem, policy):
    # Pointwise fp32 gets 1e-4; a norm of 90000 elements into one differs by summation order alone
    # by more than that, so it keeps the default.
    p = write(tmp_path, "p.py", problem)
    c = write(tmp_path, "c.py", problem + "\n\nclass ModelNew(Model):\n    pass\n")
    v = check(c, p, "--no-xcompile").json
    assert v["status"] == "correct" and policy in v["tolerance"], v.get("tolerance")


TRITON_BAD = '''
import torch
import torch.nn as nn
import triton
import triton.language as tl

@triton.jit
def k(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs, mask=offs < n)
    tl.store(y_ptr + offs, tl.where(x > 0, x, 0.0) * 2.0 + undefined_name, mask=offs < n)

class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()
    def forward(self, x):
        y = torch.empty_like(x)
        k[(triton.cdiv(x.numel(), 256),)](x, y, x.numel(), BLOCK=256)
        return y
'''


def test_triton_compile_error_is_compile_error(tmp_path):
    res = check(write(tmp_path, "c.py", TRITON_BAD), write(tmp_path, "p.py", PROBLEM))
    v = res.json
    assert v["status"] == "compile_error", v["reason"]
    assert "undefined_name" in (v["error"]["traceback"] + v["reason"])


def test_timeout_kills_a_hanging_candidate(tmp_path):
    hang = GOOD.replace("return x.clamp_min(0) * 2.0", "while True:\n            pass")
    res = check(write(tmp_path, "c.py", hang), write(tmp_path, "p.py", PROBLEM), timeout=6)
    assert res.json["status"] == "timeout" and res.code == 1
    assert res.wall < 6 + 6


def test_degenerate_problem_is_reported(tmp_path):
    prob = write(tmp_path, "p.py", PROBLEM.replace("return torch.relu(x) * 2.0", "return torch.zeros_like(x)"))
    cand = write(tmp_path, "c.py", GOOD.replace("return x.clamp_min(0) * 2.0", "return torch.zeros_like(x)"))
    v = check(cand, prob).json
    assert v["degenerate"] and "does not depend on its inputs" in v["degenerate"]
    assert any("degenerate" in w for w in v["warnings"])


def test_parameters_are_shared_with_the_candidate(tmp_path):
    prob = write(tmp_path, "p.py", '''
        import torch, torch.nn as nn
        class Model(nn.Module):
            def __init__(self, k, n):
                super().__init__()
                self.lin = nn.Linear(k, n)
                with torch.no_grad():
                    self.lin.weight.mul_(3.0)   # not what a fresh nn.Linear would hold
            def forward(self, x):
                return self.lin(x)
        def get_inputs():
            return [torch.randn(8, 16)]
        def get_init_inputs():
            return [16, 12]
    ''')
    cand = write(tmp_path, "c.py", '''
        import torch, torch.nn as nn
        class ModelNew(nn.Module):
            def __init__(self, k, n):
                super().__init__()
                self.lin = nn.Linear(k, n)
            def forward(self, x):
                return torch.addmm(self.lin.bias, x, self.lin.weight.t())
    ''')
    v = check(cand, prob).json
    assert v["status"] == "correct", v["reason"]


def test_usage_errors_exit_2(tmp_path):
    assert run_kopt("check").code == 2
    assert run_kopt("check", "x.py").code == 2                      # --ref missing
    assert run_kopt("check", "x.py", "--ref", "y.py", "--device", "tpu").code == 2
    assert run_kopt("check", "x.py", "--ref", "y.py", "--timeout", "0").code == 2
    assert run_kopt().code == 2
    assert "check" in run_kopt("--help").stdout


def test_auto_shrink_of_a_big_problem_without_cpu_sizes(tmp_path):
    prob = write(tmp_path, "p.py", PROBLEM.replace("n = 1000", "n = 64 * 1024 * 1024"))
    v = check(write(tmp_path, "c.py", GOOD), prob).json
    assert v["status"] == "correct"
    assert v["sizes"]["changed"] == {"n": [64 * 1024 * 1024, 64]}


def test_fallback_without_namespaces_still_checks_and_says_so():
    res = run_kopt("check", str(EXAMPLE_CAND), "--ref", str(EXAMPLE), "--json", "--device", "cpu",
                   env={"KOPT_SANDBOX_MODE": "none"})
    v = res.json
    assert v["status"] == "correct" and v["isolation"]["mode"] == "none"
    assert any("no namespaces" in w for w in v["warnings"])

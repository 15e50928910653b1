"""`kopt optimize` end to end: replay and LLM proposers, the run store, resume, bad endpoints, secrets."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, run_kopt

PROBLEM = CORPUS / "problems" / "fused_mul_add.py"
GOOD = CORPUS / "candidates" / "honest" / "fused_mul_add__triton.py"

BROKEN = "import torch\nclass ModelNew(torch.nn.Module):\n    def forward(self, x, y, z):\n        return x * y +\n"
WRONG = ("import torch\nimport torch.nn as nn\nclass ModelNew(nn.Module):\n    def __init__(self):\n"
         "        super().__init__()\n    def forward(self, x, y, z):\n        return x * y - z\n")
TORCH_ONLY = ("import torch\nimport torch.nn as nn\nclass ModelNew(nn.Module):\n    def __init__(self):\n"
              "        super().__init__()\n    def forward(self, x, y, z):\n        return torch.addcmul(z, x, y)\n")


def replay_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    d = tmp_path / "replay"
    d.mkdir()
    for name, text in files.items():
        (d / name).write_text(text)
    return d


def optimize(*args, env=None, timeout=600):
    return run_kopt("optimize", *args, "--json", "--device", "cpu", "--timeout", "30", env=env, timeout=timeout)


def test_replay_run_writes_a_verified_winner(tmp_path):
    d = replay_dir(tmp_path, {"a_broken.py": BROKEN, "b_wrong.py": WRONG, "c_good.py": GOOD.read_text(),
                              "d_torch.py": TORCH_ONLY})
    out = tmp_path / "winner.py"
    res = optimize(str(PROBLEM), "--proposer", "replay", "--replay-dir", str(d), "--budget", "4", "-n", "2",
                   "--out", str(out), "--run-dir", str(tmp_path / "run"))
    v = res.json
    assert res.code == 0, v
    assert v["status"] == "verified_cpu" and v["out"] == str(out) and v["candidates"] == 4
    text = out.read_text()
    assert "VERIFIED ON CPU ONLY" in text and "@triton.jit" in text
    # The header says where the verdict holds: each configuration, and the plain-process check.
    assert "# checked at the judged sizes" in text and text.count("(unseen, drawn at check time)") >= 2
    assert "# and again in a plain process with no kopt code, at the judged sizes" in text
    check = run_kopt("check", str(out), "--ref", str(PROBLEM), "--json", "--device", "cpu")
    assert check.json["status"] == "correct"
    shown = run_kopt("show", str(tmp_path / "run"), "--json").json
    statuses = sorted(c["status"] for c in shown["candidates"])
    assert statuses == ["compile_error", "correct", "correct", "incorrect"]
    # One ranking: the loop's best, the written winner and `kopt show`'s best are one candidate (by
    # interpreted time the plain-PyTorch one would look faster on the CPU).
    assert shown["summary"]["meta"]["best_id"] == v["best_id"] == shown["summary"]["best"]["id"]
    assert f"(candidate #{v['best_id']}," in text
    table = " ".join(run_kopt("show", str(tmp_path / "run")).stdout.split())  # rich wraps at 80 columns
    assert f"best #{v['best_id']} (own kernels" in table and "CPU proxy" in table


def test_nothing_written_when_nothing_is_verified(tmp_path):
    d = replay_dir(tmp_path, {"a.py": WRONG})
    out = tmp_path / "winner.py"
    res = optimize(str(PROBLEM), "--proposer", "replay", "--replay-dir", str(d), "--out", str(out),
                   "--run-dir", str(tmp_path / "run"))
    assert res.json["status"] == "nothing_verified" and res.code == 1 and not out.exists()


def test_no_llm_configured_says_how(tmp_path):
    env = {k: "" for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "KOPT_MODEL")}
    env["HOME"] = str(tmp_path)
    res = run_kopt("optimize", str(PROBLEM), "--proposer", "llm", "--device", "cpu", env=env)
    assert res.code == 2
    assert "--model" in res.stderr and "OPENAI_BASE_URL" in res.stderr


def _verdict_count(run_dir: Path) -> int:
    con = sqlite3.connect(run_dir / "run.sqlite")
    try:
        return con.execute("select count(*) from candidates").fetchone()[0]
    finally:
        con.close()


def test_resume_after_kill_keeps_everything(tmp_path):
    files = {f"{i:02d}.py": (GOOD.read_text() if i % 2 else TORCH_ONLY).replace("import torch\n", f"import torch\n# variant {i}\n", 1)
             for i in range(5)}
    d = replay_dir(tmp_path, files)
    run = tmp_path / "run"
    args = [sys.executable, "-m", "kopt", "optimize", str(PROBLEM), "--proposer", "replay", "--replay-dir", str(d),
            "--budget", "5", "--patience", "10", "--device", "cpu", "--run-dir", str(run), "--out",
            str(tmp_path / "w.py"), "--json"]
    p = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline:  # kill once at least one candidate has a verdict
        if (run / "run.sqlite").exists():
            try:
                con = sqlite3.connect(run / "run.sqlite")
                n = con.execute("select count(*) from candidates where status is not null").fetchone()[0]
                con.close()
                if n >= 1:
                    break
            except sqlite3.Error:
                pass
        time.sleep(0.2)
    p.send_signal(signal.SIGKILL)  # no cleanup at all: the worst case for the run store
    p.wait()
    assert p.returncode == -signal.SIGKILL, "the run ended before the kill: nothing was interrupted"
    con = sqlite3.connect(run / "run.sqlite")
    judged = con.execute("select count(*) from candidates where status is not null").fetchone()[0]
    con.close()
    assert 1 <= judged < len(files), f"{judged} of {len(files)} judged before the kill: nothing left to resume"
    res = run_kopt("optimize", "--resume", str(run), "--json", timeout=600)
    v = res.json
    assert res.code == 0, v
    shown = run_kopt("show", str(run), "--json").json
    cands = shown["candidates"]
    assert len(cands) == 5 and all(c["status"] for c in cands)
    assert sorted(c["origin"] for c in cands) == sorted(f"replay:{n}" for n in files)
    assert v["status"] == "verified_cpu" and Path(v["out"]).exists()


# ----------------------------------------------------------------------------- the LLM proposer
from llm_server import ScriptedServer  # noqa: E402

SECRET = "sk-kopt-test-9f8e7d6c5b4a"
TRITON_BAD = GOOD.read_text().replace("tl.store(", "undefined_helper_name\n    tl.store(", 1)


def fence(code: str, prose: str = "Here is the kernel.") -> str:
    return f"{prose}\n\n```python\n{code}\n```\n"


def llm_optimize(srv, tmp_path, *extra, env=None):
    e = {"OPENAI_API_KEY": SECRET, "HOME": str(tmp_path), **(env or {})}
    return optimize(str(PROBLEM), "--proposer", "llm", "--base-url", srv.url, "--model", "scripted",
                    "--run-dir", str(tmp_path / "run"), "--out", str(tmp_path / "out.py"), *extra, env=e)


def user_prompt(req) -> str:
    return "\n".join(m["content"] for m in req["json"]["messages"] if m["role"] == "user")


def test_llm_run_feeds_errors_back_and_keeps_the_winner(tmp_path):
    script = [{"content": fence(TRITON_BAD)}, {"content": "<think>try ```python\nx = 1\n```</think>" + fence(GOOD.read_text())}]
    with ScriptedServer(script) as srv:
        res = llm_optimize(srv, tmp_path, "--budget", "2", "--patience", "5", "--price", "1.0", "2.0")
    v = res.json
    assert res.code == 0, v
    assert v["cost_usd"] > 0
    assert v["status"] == "verified_cpu" and v["tokens"] > 0 and v["llm_calls"] == 2
    first, second = srv.requests[0], srv.requests[1]
    assert first["json"]["stream"] is True
    assert "class Model" in user_prompt(first) and "def get_inputs" in user_prompt(first)
    assert "undefined_helper_name" in user_prompt(second) and "compile_error" in user_prompt(second)
    assert first["headers"]["Authorization"] == f"Bearer {SECRET}"
    out = Path(v["out"])
    assert run_kopt("check", str(out), "--ref", str(PROBLEM), "--json", "--device", "cpu").json["status"] == "correct"
    # the key reached the server and nowhere else
    for f in (tmp_path / "run").rglob("*"):
        if f.is_file():
            assert SECRET.encode() not in f.read_bytes(), f
    assert SECRET not in res.stdout and SECRET not in res.stderr


def test_llm_retries_429_and_500_then_succeeds(tmp_path):
    script = [{"status": 429}, {"status": 500}, {"content": fence(GOOD.read_text())}]
    with ScriptedServer(script) as srv:
        res = llm_optimize(srv, tmp_path, "--budget", "1")
    assert res.json["status"] == "verified_cpu", res.json
    assert len(srv.requests) == 3


def test_truncated_reply_gets_a_repair_turn(tmp_path):
    cut = "```python\n" + GOOD.read_text()[:300]
    script = [{"content": cut, "finish_reason": "length"}, {"content": fence(GOOD.read_text())}]
    with ScriptedServer(script) as srv:
        res = llm_optimize(srv, tmp_path, "--budget", "1")
    assert res.json["status"] == "verified_cpu", res.json
    repair = srv.requests[1]["json"]["messages"]
    assert repair[-2]["role"] == "assistant" and "cut off" in repair[-1]["content"]


def test_budget_stops_a_run_of_wrong_kernels(tmp_path):
    with ScriptedServer([], default={"content": fence(WRONG)}) as srv:
        res = llm_optimize(srv, tmp_path, "--budget", "2", "--patience", "9")
    v = res.json
    assert v["status"] == "nothing_verified" and v["candidates"] == 1  # the same wrong file twice is judged once
    assert "budget" in v["stop_reason"] or "no improvement" in v["stop_reason"]


def test_token_budget_stops(tmp_path):
    variants = iter(range(100))
    step = lambda body: {"content": fence(WRONG.replace("- z", f"- z * {next(variants) + 2}")), "prompt_tokens": 500}
    with ScriptedServer([], default=step) as srv:
        res = llm_optimize(srv, tmp_path, "--budget", "50", "--token-budget", "1200", "--patience", "99")
    v = res.json
    assert "token budget" in v["stop_reason"] and v["candidates"] < 5


@pytest.mark.parametrize("script, words", [
    ([{"status": 401, "message": "bad key"}], "auth"),
    ([], "server"),
])
def test_bad_endpoint_ends_the_run_clearly(tmp_path, script, words):
    default = {"status": 500} if not script else None
    with ScriptedServer(script, default=default) as srv:
        res = llm_optimize(srv, tmp_path, "--budget", "2")
    v = res.json
    assert res.code != 0 and words in v["error"] and SECRET not in res.stdout


def test_refused_connection_ends_the_run_clearly(tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    res = optimize(str(PROBLEM), "--proposer", "llm", "--base-url", f"http://127.0.0.1:{port}/v1", "--model", "m",
                   "--run-dir", str(tmp_path / "run"), env={"OPENAI_API_KEY": SECRET, "HOME": str(tmp_path)})
    v = res.json
    assert res.code != 0 and "connection" in v["error"]


def test_hostile_llm_candidate_cannot_read_the_key(tmp_path):
    spy = ("import os\nimport torch\nimport torch.nn as nn\nclass ModelNew(nn.Module):\n"
           "    def __init__(self):\n        super().__init__()\n"
           "    def forward(self, x, y, z):\n        raise RuntimeError('ENV=' + repr(dict(os.environ)))\n")
    with ScriptedServer([], default={"content": fence(spy)}) as srv:
        res = llm_optimize(srv, tmp_path, "--budget", "1", env={"KOPT_TEST_SKIP_STATIC_SCAN": "1"})
    shown = run_kopt("show", str(tmp_path / "run"), "--json").json
    reason = shown["candidates"][0]["verdict"]["reason"]
    assert "ENV=" in reason and "KOPT_SANDBOX" in reason      # the candidate did print its environment
    assert SECRET not in reason and SECRET not in res.stdout


def test_decide_stops_at_the_target_speedup_on_a_gpu_run(tmp_path):
    """The target stop is GPU-only (CPU speedups mean nothing); the decision code runs anywhere."""
    from kopt.agent.loop import Budget, Loop
    from kopt.agent.proposers import ReplayProposer
    from kopt.store import RunStore

    d = replay_dir(tmp_path, {"a.py": TORCH_ONLY})
    store = RunStore.create(tmp_path / "run", {"problem": str(PROBLEM)})
    for i, speedup in enumerate((1.2, 2.6)):
        cid, _ = store.add_candidate(0, i, TORCH_ONLY + f"\n# {i}\n", "test")
        store.record_verdict(cid, {"status": "correct", "reason": "ok", "speedup": speedup, "candidate_ms": 1 / speedup,
                                   "reference_ms": 1.0, "kernels": []})
    def never(path):
        raise AssertionError("decide must not run the judge")
    loop = Loop(problem=PROBLEM, store=store, proposer=ReplayProposer(d), check_fn=never,
                budget=Budget(candidates=99, target_speedup=2.5, patience=9), lanes=1, device="cuda")
    state = loop.decide({"round": 1, "best_id": None, "no_improve": 0, "stop_reason": None})
    assert state["stop_reason"] == "target speedup 2.5x reached" and state["best_id"] == 2
    cpu = Loop(problem=PROBLEM, store=store, proposer=ReplayProposer(d), check_fn=never,
               budget=Budget(candidates=99, target_speedup=2.5, patience=9), lanes=1, device="cpu")
    assert cpu.decide({"round": 1, "best_id": None, "no_improve": 0, "stop_reason": None})["stop_reason"] is None
    store.close()


def test_the_factory_makes_proposers_or_raises_a_typed_error(tmp_path, monkeypatch):
    for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "KOPT_MODEL"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    from kopt.agent.factory import ProposerError, check_setup, make_proposer
    from kopt.agent.proposers import Proposer
    d = replay_dir(tmp_path, {"a.py": GOOD.read_text()})
    home = {"problem": str(PROBLEM), "device": "cpu", "config": str(tmp_path / "none.toml")}
    llm = {**home, "proposer": "llm", "model": "m", "base_url": "http://127.0.0.1:9/v1"}
    for opts in ({**home, "proposer": "replay", "replay_dir": str(d)}, {**home, "proposer": "builtin"}, llm,
                 {**llm, "proposer": "auto"}):
        check_setup(dict(opts))
        assert isinstance(make_proposer(dict(opts), None), Proposer), opts["proposer"]
    with pytest.raises(ProposerError, match="--replay-dir"):
        make_proposer({**home, "proposer": "replay"}, None)
    with pytest.raises(ProposerError, match="no .py files"):
        check_setup({**home, "proposer": "replay", "replay_dir": str(tmp_path / "empty")})
    opts = {**home, "proposer": "auto"}
    check_setup(opts)  # no model configured anywhere: auto is the built-in compiler, offline
    assert opts["proposer"] == "builtin"

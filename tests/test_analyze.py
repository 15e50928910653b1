"""`kopt analyze` on the command line (views, errors), Nsight Compute's absence, and the analysis
reaching the LLM's prompt, the run store and `kopt optimize`'s output."""
from __future__ import annotations

from pathlib import Path

from conftest import CORPUS, ROOT, run_kopt
from llm_server import ScriptedServer

SOFTMAX = ROOT / "eval_suite" / "level1" / "13_softmax_fp16.py"
FMA = CORPUS / "problems" / "fused_mul_add.py"
FMA_GOOD = CORPUS / "candidates" / "honest" / "fused_mul_add__triton.py"
SECRET = "sk-kopt-test-analysis-0123456789"


def test_rich_view_names_the_bound_and_every_device():
    res = run_kopt("analyze", str(SOFTMAX), "--device-name", "h100-sxm", timeout=180)
    assert res.code == 0, res.stderr[-2000:]
    out = " ".join(res.stdout.split())
    assert "memory-bound" in out and "641 µs" in out  # 2.15 GB at 3.35 TB/s
    for name in ("H100 SXM", "H100 PCIe", "H200", "A100 SXM", "L40S", "RTX 4090", "B200"):
        assert name in out
    assert "FlopCounterMode" in out  # the FLOP model is stated


def test_device_name_chooses_the_verdict_device():
    r = run_kopt("analyze", str(SOFTMAX), "--device-name", "A100 SXM", "--json", timeout=180).json
    assert r["device"] == "A100 SXM" and r["t_min_ms"] == r["bytes"] / 2039e9 * 1e3


def test_broken_problem_is_explained_not_traced(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import torch\nclass Model(torch.nn.Module):\n    def forward(self, x)\n        return x\n")
    res = run_kopt("analyze", str(bad))
    said = " ".join(res.stderr.replace("│", " ").split())  # the rich panel wraps lines
    assert res.code == 2 and "is not valid Python" in said and "Traceback" not in said
    res = run_kopt("analyze", str(bad), "--json")
    assert res.code == 2 and res.json["status"] == "error" and "not valid Python" in res.json["reason"]
    failing = tmp_path / "failing.py"
    failing.write_text("import torch\nclass Model(torch.nn.Module):\n    def forward(self, x):\n"
                       "        raise ValueError('boom')\n"
                       "def get_inputs():\n    return [torch.randn(4)]\ndef get_init_inputs():\n    return []\n")
    res = run_kopt("analyze", str(failing), "--json", timeout=120)
    assert res.code == 2 and "boom" in res.json["reason"]


def test_bad_arguments_are_usage_errors(tmp_path):
    res = run_kopt("analyze", str(SOFTMAX), "--device-name", "Voodoo 5", "--json")
    assert res.code == 2 and "H100 SXM" in res.json["reason"]
    res = run_kopt("analyze", str(SOFTMAX), "--candidate", str(tmp_path / "missing.py"))
    assert res.code == 2 and "does not exist" in res.stderr


def test_ncu_is_reported_unavailable_without_a_gpu():
    res = run_kopt("analyze", str(FMA), "--candidate", str(FMA_GOOD), "--ncu", "--device", "cpu", "--json",
                   timeout=240)
    r = res.json
    assert res.code == 0
    ncu = r["candidate"]["ncu"]
    assert ncu["available"] is False and "no GPU" in ncu["reason"]
    assert any("Nsight Compute" in w for w in r["candidate"]["warnings"])
    # and the CPU time is not turned into a % of roofline
    assert r["candidate"]["measured"]["candidate"] is None and "no GPU time" in r["candidate"]["measured"]["note"]


def test_ncu_output_parsing():
    from kopt.tools.ncu import availability, parse
    assert availability("cuda", False)["reason"].startswith("not requested")
    denied = parse("==ERROR== ERR_NVGPUCTRPERM - The user does not have permission", 1)
    assert denied["available"] is False and "performance counters" in denied["reason"]
    csv_text = ('==PROF== Disconnected\n"ID","Kernel Name","Metric Name","Metric Unit","Metric Value"\n'
                '"0","_fma_kernel","gpu__time_duration.sum","usecond","12.5"\n'
                '"0","_fma_kernel","dram__throughput.avg.pct_of_peak_sustained_elapsed","%","81.2"\n')
    got = parse(csv_text, 0)
    assert got["available"] and got["kernels"] == [{"kernel": "_fma_kernel", "gpu__time_duration.sum": 12.5,
                                                    "dram__throughput.avg.pct_of_peak_sustained_elapsed": 81.2}]


def _user_prompt(req) -> str:
    return "\n".join(m["content"] for m in req["json"]["messages"] if m["role"] == "user")


def test_prompt_of_a_cpu_run_states_the_bound_and_why_no_percentage(tmp_path):
    """The real `kopt optimize` sends its prompt to a scripted server; we read what arrived."""
    reply = f"Here.\n\n```python\n{FMA_GOOD.read_text()}\n```\n"
    with ScriptedServer([{"content": reply}]) as srv:
        res = run_kopt("optimize", str(FMA), "--proposer", "llm", "--base-url", srv.url, "--model", "scripted",
                       "--budget", "1", "--device", "cpu", "--run-dir", str(tmp_path / "run"), "--out",
                       str(tmp_path / "out.py"), "--json", env={"OPENAI_API_KEY": SECRET, "HOME": str(tmp_path)},
                       timeout=600)
    v = res.json
    assert res.code == 0 and v["status"] == "verified_cpu", v
    prompt = _user_prompt(srv.requests[0])
    assert "**memory-bound**" in prompt and "Roofline lower bound" in prompt
    assert "% of roofline: unknown, no GPU time was measured" in prompt
    # the run store keeps the analysis; the result and the written file report it
    shown = run_kopt("show", str(tmp_path / "run"), "--json").json
    assert shown["summary"]["meta"]["analysis"]["bound"] == "memory"
    assert v["analysis"]["bound"] == "memory" and v["analysis"]["target"] == "sm_90"
    assert v["analysis"]["kernels"][0]["name"] == "_fma_kernel" and v["analysis"]["kernels"][0]["registers"] > 0
    assert "not requested" in v["analysis"]["ncu"]["reason"]
    header = Path(v["out"]).read_text().split("import torch")[0]
    assert "# roofline: memory-bound, lower bound" in header and "# sm_90: _fma_kernel ok" in header


def test_prompt_of_a_gpu_run_states_percent_of_roofline(tmp_path):
    """A run as a GPU machine records it (GPU times in the store), prompted through the real
    loop context and LLM proposer: the prompt gives % of roofline for the reference and the best."""
    from kopt.agent.llm import LLMClient, resolve_config
    from kopt.agent.loop import Budget, Loop
    from kopt.agent.proposers import LLMProposer
    from kopt.store import RunStore
    from kopt.tools.analysis import problem_analysis

    analysis = problem_analysis(str(SOFTMAX), "H100 SXM")   # real count: 2.15 GB, bound 0.641 ms
    store = RunStore.create(tmp_path / "run", {"problem": str(SOFTMAX)})
    store.update_meta(reference_ms=2.0, device="cuda", interpreted=False, analysis=analysis,
                      versions={"device_name": "NVIDIA H100 80GB HBM3"})
    cid, _ = store.add_candidate(0, 0, "import torch\n# a softmax kernel\n", "test")
    spill = ("_softmax_kernel spills 96 bytes per thread to local memory on sm_90 (255 registers): shrink the "
             "per-program tile (BLOCK sizes) or raise num_warps so each thread holds fewer values")
    store.record_verdict(cid, {"status": "correct", "reason": "ok", "speedup": 1.6, "candidate_ms": 1.25,
                               "reference_ms": 2.0, "kernels": [], "device": "cuda",
                               "xcompile": {"target": "native", "advice": [spill]}})
    store.update_meta(best_id=cid)
    with ScriptedServer([{"content": "no code"}], default={"content": "still no code"}) as srv:
        cfg = resolve_config(model="scripted", base_url=srv.url, env={"OPENAI_API_KEY": SECRET})
        proposer = LLMProposer(LLMClient(cfg), store, max_repairs=0)
        loop = Loop(problem=SOFTMAX, store=store, proposer=proposer, check_fn=None, budget=Budget(), lanes=1,
                    device="cuda")
        proposer.propose(loop._context(1, 1))
    prompt = _user_prompt(srv.requests[0])
    store.close()
    t_min = 2 * 8 * 16 * 2048 * 2048 * 2 / 3350e9 * 1e3          # 0.641 ms
    assert "**memory-bound**" in prompt and "Roofline lower bound: 641 µs" in prompt
    assert f"Reference: 2 ms = {100 * t_min / 2.0:.1f}% of the roofline" in prompt
    assert f"Best verified candidate: 1.25 ms = {100 * t_min / 1.25:.1f}% of the roofline" in prompt
    assert "spills 96 bytes per thread" in prompt and "raise num_warps" in prompt
    assert "unknown, no GPU time" not in prompt

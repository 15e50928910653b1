"""Cross-compilation with no GPU: real interpreter runs in the sandbox, real Triton compiles for
sm_80/sm_90, real cuobjdump. Kernels that only the GPU compiler rejects become compile_error."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, run_kopt

HERE = ROOT / "tests" / "analysis"
ROW_MIX = HERE / "row_mix.py"
SPILLS = HERE / "row_mix__spills.py"
LINEAR_GELU = CORPUS / "candidates" / "honest" / "linear_bias_gelu__triton.py"


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> dict:
    """A cache of our own, so that these tests really compile (and can watch it being reused)."""
    return {"KOPT_CACHE_DIR": str(tmp_path_factory.mktemp("xcompile-cache"))}


def check(cand: Path, prob: Path, *extra: str, env=None):
    res = run_kopt("check", str(cand), "--ref", str(prob), "--json", "--device", "cpu", "--timeout", "60", *extra,
                   env=env, timeout=180)
    return res, res.json


def test_analyze_reports_registers_shared_memory_and_a_spill_for_sm90(cache):
    res = run_kopt("analyze", str(ROW_MIX), "--candidate", str(SPILLS), "--json", "--device", "cpu",
                   env=cache, timeout=240)
    r = res.json
    assert res.code == 0, r
    cand = r["candidate"]
    assert cand["status"] == "correct" and r["target"] == "sm_90"
    x = cand["xcompile"]
    assert x["target"] == "sm_90" and x["compiled"] == 1
    (k,) = x["kernels"]
    assert k["name"] == "_row_mix_kernel" and k["status"] == "ok"
    # two 4096-wide fp32 rows on one warp: 256 live values per thread > 255 registers
    assert k["registers"] == 255 and k["num_warps"] == 1
    assert k["shared_bytes"] is not None and k["spills"] is True and k["stack_bytes"] > 0
    assert k["occupancy"]["limited_by"] == "registers"
    assert x["spills"] and any("spills" in a and "num_warps" in a for a in x["advice"])
    # the launch record that made this possible: argument types, constexprs, grid
    (launch,) = cand["launches"]
    assert launch["grid"] == [4]
    # the rich view says the same
    view = run_kopt("analyze", str(ROW_MIX), "--candidate", str(SPILLS), "--device", "cpu", env=cache, timeout=240)
    assert view.code == 0 and "_row_mix_kernel" in view.stdout and "spills" in view.stdout


def test_more_warps_remove_the_spill_and_the_cache_is_reused(cache, tmp_path):
    fits = tmp_path / "row_mix__fits.py"
    fits.write_text(SPILLS.read_text().replace("NUM_WARPS = 1", "NUM_WARPS = 8"))
    res, v = check(fits, ROW_MIX, env=cache)
    assert v["status"] == "correct", v["reason"]
    (k,) = v["xcompile"]["kernels"]
    assert k["num_warps"] == 8 and k["spills"] is False and k["stack_bytes"] == 0
    assert v["kernels"][0]["specs"][0]["options"] == {"num_warps": 8}
    assert v["kernels"][0]["specs"][0]["args"]["BLOCK_N"] == {"t": "v", "v": 4096}
    assert v["kernels"][0]["specs"][0]["args"]["x_ptr"] == {"t": "tensor", "dtype": "float32", "aligned": True}
    # the same file again: answered from the disk cache, nothing compiled
    res2, v2 = check(fits, ROW_MIX, env=cache)
    assert v2["xcompile"]["cached"] == 1 and v2["xcompile"]["compiled"] == 0
    assert v2["xcompile"]["kernels"] == v["xcompile"]["kernels"]
    assert v2["phases"]["cross-compile"] < 0.5


@pytest.mark.parametrize("cand, prob, words", [
    # tl.dot on fp32 needs an inner dimension >= 8 on the GPU (Triton 3.6 says >= 16); the
    # interpreter multiplies anyway
    (HERE / "narrow_matmul__dot_k4.py", HERE / "narrow_matmul.py", "and K >= "),
    # a plain Python helper called from a kernel: Python in the interpreter, not Triton on the GPU
    (HERE / "silu__python_helper.py", CORPUS / "problems" / "silu.py", "Unsupported function"),
], ids=["dot_k4", "python_helper"])
def test_kernel_that_only_the_gpu_compiler_rejects_is_a_compile_error(cache, cand, prob, words):
    # In the interpreter alone it passes: the failure is GPU-only.
    res, v = check(cand, prob, "--no-xcompile", env=cache)
    assert v["status"] == "correct", v["reason"]
    assert v["xcompile"] == {}
    res, v = check(cand, prob, env=cache)
    assert v["status"] == "compile_error" and res.code == 1
    assert "sm_90" in v["reason"] and words in v["reason"]
    (k,) = v["xcompile"]["kernels"]
    assert k["status"] == "compile_error" and words in k["error"]


def test_analyze_shows_the_compile_error(cache):
    res = run_kopt("analyze", str(HERE / "narrow_matmul.py"), "--candidate", str(HERE / "narrow_matmul__dot_k4.py"),
                   "--json", "--device", "cpu", env=cache, timeout=240)
    r = res.json
    assert res.code == 1 and r["status"] == "compile_error"
    assert r["candidate"]["xcompile"]["kernels"][0]["status"] == "compile_error"
    assert r["flops"] == 2 * 32 * 48 * 4 and r["bytes"] == (32 * 4 + 4 * 48 + 32 * 48) * 4


def test_tensor_core_instructions_per_architecture(cache, tmp_path):
    """A tf32 tl.dot on 64x64 tiles: wgmma on sm_90, mma.sync on sm_80 (an A100 by name)."""
    cand = tmp_path / "linear_gelu_tf32.py"
    cand.write_text(LINEAR_GELU.read_text().replace('input_precision="ieee"', 'input_precision="tf32"')
                    .replace("BM, BN, BK = 32, 32, 32", "BM, BN, BK = 64, 64, 32"))
    prob = CORPUS / "problems" / "linear_bias_gelu.py"
    _, v90 = check(cand, prob, env=cache)
    _, v80 = check(cand, prob, "--target", "A100 SXM", env=cache)
    assert v90["status"] == v80["status"] == "correct"
    assert v90["xcompile"]["kernels"][0]["tensor_cores"] == "wgmma"
    assert v80["xcompile"]["target"] == "sm_80" and v80["xcompile"]["kernels"][0]["tensor_cores"] == "mma.sync"
    assert v90["xcompile"]["kernels"][0]["shared_bytes"] > 0


def test_plain_pytorch_candidate_has_nothing_to_compile(cache):
    res, v = check(CORPUS / "candidates" / "honest" / "softmax_rows__torch_expsum.py",
                   CORPUS / "problems" / "softmax_rows.py", env=cache)
    assert v["status"] == "correct" and v["kernels"] == [] and v["xcompile"] == {}
    assert "cross-compile" not in v["phases"]


def test_bad_target_is_a_usage_error():
    res = run_kopt("check", str(SPILLS), "--ref", str(ROW_MIX), "--target", "sm_75")
    assert res.code == 2 and "unknown target 'sm_75'" in res.stderr and "sm_90" in res.stderr
    res = run_kopt("analyze", str(ROW_MIX), "--target", "volta", "--json")
    assert res.code == 2 and "unknown target" in res.json["reason"]


def test_describe_launch_keeps_only_what_specialization_needs():
    import torch
    import triton.language as tl
    from kopt.sandbox.compile_kernels import describe_launch

    def kernel(x_ptr, n, m, one, scale, BLOCK: tl.constexpr, DTYPE: tl.constexpr):
        pass

    x = torch.empty(8)
    d = describe_launch(kernel, (x[1:], 4096, 1000, 1, 0.5), {"BLOCK": 128, "DTYPE": tl.float16, "num_warps": 2})
    assert d["args"]["x_ptr"] == {"t": "tensor", "dtype": "float32", "aligned": False}
    # non-constexpr ints keep their class only (multiple of 16 / other / 1); constexprs their value
    assert d["args"]["n"]["v"] == 16 and d["args"]["m"]["v"] == 17 and d["args"]["one"]["v"] == 1
    assert d["args"]["BLOCK"] == {"t": "v", "v": 128} and d["args"]["DTYPE"] == {"t": "tl_dtype", "v": "fp16"}
    assert d["options"] == {"num_warps": 2}

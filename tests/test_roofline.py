"""Roofline: FLOPs and bytes counted by `kopt analyze` match hand counts; the bound arithmetic and
the device table behave as documented."""
from __future__ import annotations

import pytest

from conftest import CORPUS, ROOT, run_kopt
from kopt.tools.devices import ARCHS, DEVICES, TargetError, find_device, parse_target
from kopt.tools.roofline import achieved, bound

L1, L2 = ROOT / "eval_suite" / "level1", ROOT / "eval_suite" / "level2"


def analyze(problem) -> dict:
    # The device is named: on a GPU machine the default would be that GPU.
    res = run_kopt("analyze", str(problem), "--json", "--device-name", "H100 SXM", timeout=180)
    assert res.code == 0, res.stderr[-2000:]
    return res.json


def test_softmax_counts_match_hand_count():
    r = analyze(L1 / "13_softmax_fp16.py")
    numel = 8 * 16 * 2048 * 2048                      # scores (B, H, S, S), as written (the GPU size)
    assert r["counts"]["counted_on"] == "meta"
    assert r["bytes"] == 2 * numel * 2                 # fp16 in + fp16 out, once each: 2 GiB
    assert r["bytes"] == 2_147_483_648
    assert r["flops"] == 5 * numel                     # max, subtract, exp, sum, divide per element
    assert r["counts"]["matmul_flops"] == 0
    # 2.15 GB / 3.35 TB/s = 641 us on an H100 SXM: memory-bound (1.25 FLOP/B << ridge)
    assert r["device"] == "H100 SXM" and r["bound"] == "memory"
    assert r["t_min_ms"] == pytest.approx(2_147_483_648 / 3350e9 * 1e3)


def test_layer_norm_counts_match_hand_count():
    r = analyze(L1 / "15_layer_norm.py")
    numel, hidden = 16 * 2048 * 4096, 4096
    # x in and y out (fp32), plus weight and bias (fp32, hidden each)
    assert r["bytes"] == 2 * numel * 4 + 2 * hidden * 4 == 1_073_774_592
    # mean (1), subtract (1), square (1), sum (1), scale by rstd (1), weight (1), bias (1)
    assert r["flops"] == 7 * numel == 939_524_096
    assert r["bound"] == "memory"


def test_matmul_counts_match_hand_count():
    r = analyze(L1 / "18_matmul_square.py")
    n = 4096
    assert r["flops"] == 2 * n ** 3 == 137_438_953_472           # one multiply-add = 2 FLOPs
    assert r["counts"]["matmul_flops_by_dtype"] == {"float32": 2 * n ** 3}
    assert r["bytes"] == 3 * n * n * 4 == 201_326_592             # A, B in, C out, fp32
    # fp32 matmul runs at the TF32 tensor-core rate (tl.dot's default, within the fp32 tolerance):
    # 137.4 GFLOP / 494.7 TFLOP/s = 278 us > 201 MB / 3.35 TB/s = 60 us: compute-bound
    assert r["bound"] == "compute"
    assert r["t_min_ms"] == pytest.approx(2 * n ** 3 / 494.7e12 * 1e3)


def test_linear_relu_counts_match_hand_count():
    r = analyze(L2 / "2_linear_relu_scale.py")
    m, k, n = 16384, 1024, 4096
    mm = 2 * m * n * k                                  # addmm; FlopCounterMode leaves out the bias add
    assert r["counts"]["matmul_flops"] == mm == 137_438_953_472
    assert r["flops"] == mm + m * n + m * n             # + ReLU + the scale, one per output element
    assert r["flops"] == 137_573_171_200
    # x (m, k), W (n, k), b (n) in; y (m, n) out; fp32
    assert r["bytes"] == (m * k + n * k + n + m * n) * 4 == 352_337_920
    assert r["counts"]["bytes_params"] == (n * k + n) * 4
    assert r["bound"] == "compute"


def test_small_linear_relu_problem_of_the_corpus():
    r = analyze(CORPUS / "problems" / "linear_relu.py")
    assert r["flops"] == 2 * 100 * 80 * 96 + 100 * 80            # M=100, K=96, N=80, then ReLU
    assert r["bytes"] == (100 * 96 + 80 * 96 + 80 + 100 * 80) * 4
    assert {d["device"] for d in r["devices"]} == {d.name for d in DEVICES}


# ----------------------------------------------------------------------------- the arithmetic

def test_bound_picks_the_larger_term_and_the_dtype_peak():
    h100 = find_device("H100 SXM")
    mem = bound({"flops": 10, "other_flops": 10, "bytes": 3.35e9, "matmul_flops_by_dtype": {}}, h100)
    assert mem["bound"] == "memory" and mem["t_min_ms"] == pytest.approx(1.0)
    bf16 = bound({"flops": 989.4e9, "other_flops": 0, "bytes": 1, "matmul_flops_by_dtype": {"bfloat16": 989.4e9}}, h100)
    assert bf16["bound"] == "compute" and bf16["t_min_ms"] == pytest.approx(1.0)
    fp32 = bound({"flops": 494.7e9, "other_flops": 0, "bytes": 1, "matmul_flops_by_dtype": {"float32": 494.7e9}}, h100)
    assert fp32["t_min_ms"] == pytest.approx(1.0)                  # TF32 rate
    simt = bound({"flops": 67e9, "other_flops": 67e9, "bytes": 1, "matmul_flops_by_dtype": {}}, h100)
    assert simt["t_min_ms"] == pytest.approx(1.0)                  # CUDA-core fp32 rate


def test_achieved_rates_and_percent_of_roofline():
    h100 = find_device("H100 SXM")
    counts = {"flops": 1e9, "other_flops": 1e9, "bytes": 3.35e9, "matmul_flops_by_dtype": {}}
    a = achieved(counts, 2.0, h100)                 # twice the 1 ms bound
    assert a["pct_of_roofline"] == pytest.approx(50.0)
    assert a["gb_s"] == pytest.approx(1675.0) and a["tflop_s"] == pytest.approx(0.5)
    assert achieved(counts, None, h100) is None


def test_device_lookup_by_table_name_and_cuda_name():
    assert find_device("NVIDIA H100 80GB HBM3").name == "H100 SXM"
    assert find_device("NVIDIA H100 PCIe").name == "H100 PCIe"
    assert find_device("NVIDIA H200").name == "H200"
    assert find_device("NVIDIA A100-SXM4-80GB").name == "A100 SXM"
    assert find_device("NVIDIA GeForce RTX 4090").name == "RTX 4090"
    assert find_device("b200").name == "B200" and find_device("l40s").cc == 89
    assert find_device("Tesla K80") is None
    for d in DEVICES:  # every device's architecture has occupancy limits
        assert d.cc in ARCHS and d.fp32 <= d.tf32 <= d.bf16  # the RTX 4090 runs TF32 at its fp32 rate


def test_parse_target():
    assert parse_target("sm_90") == 90 and parse_target("sm90") == 90 and parse_target("100") == 100
    assert parse_target("sm_90a") == 90 and parse_target("A100 SXM") == 80 and parse_target("RTX 4090") == 89
    with pytest.raises(TargetError, match="sm_80"):
        parse_target("sm_75")


def test_problem_that_cannot_run_on_meta_is_counted_on_cpu_sizes(tmp_path):
    prob = tmp_path / "data_dependent.py"
    prob.write_text(
        "import torch\nimport torch.nn as nn\n\nrows = 100000\ncols = 512\nCPU_SIZES = {'rows': 8, 'cols': 16}\n\n"
        "class Model(nn.Module):\n    def forward(self, x):\n"
        "        # .item() needs real data: the meta device cannot run this\n"
        "        return x * 2.0 if x.sum().item() > 0 else x * 3.0\n\n"
        "def get_inputs():\n    return [torch.randn(rows, cols)]\n\ndef get_init_inputs():\n    return []\n")
    r = analyze(prob)
    assert r["counts"]["counted_on"] == "cpu" and r["counts"]["sizes"] == "CPU_SIZES"
    assert r["counts"]["meta_error"]                  # why the meta count failed, in words
    assert r["bytes"] == 2 * 8 * 16 * 4               # x in, y out, at the CPU sizes
    assert r["flops"] == 8 * 16 + 8 * 16              # the sum reads 128 elements, the product writes 128

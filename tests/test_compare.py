"""Unit tests for kopt.tools.compare: scale-aware numeric comparison, input tampering, degeneracy."""
from __future__ import annotations

import warnings

import pytest
import torch

from kopt.sandbox.protocol import Opaque, decode, encode
from kopt.tools.compare import TOLERANCES, compare_outputs, degeneracy, inputs_unchanged, tolerance_for


def _randn(*shape, seed=0, dtype=torch.float32, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale).to(dtype)


def _noisy(ref, rel, seed=1):
    """ref * (1 + rel * N(0,1)) computed in float64, cast back."""
    noise = _randn(*ref.shape, seed=seed, dtype=torch.float64)
    return (ref.double() * (1 + rel * noise)).to(ref.dtype)


def _wire(t):
    """What the reference worker actually compares: the codec's rebuild of the candidate output."""
    spec, payload = encode(t)
    return decode(spec, payload)


# ----------------------------------------------------------------------------- basic matches

@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16])
def test_identical_tensors_match(dtype):
    ref = _randn(64, 33, dtype=dtype)
    m = compare_outputs(ref, _wire(ref))
    assert m.ok and m.reason == ""
    assert m.metrics["max_abs_err"] == 0.0 and m.metrics["rel_l2_err"] == 0.0
    assert m.metrics["mismatched"] == 0 and m.metrics["numel"] == 64 * 33


@pytest.mark.parametrize("scale", [1e-8, 1.0, 1e8])
def test_exact_answers_pass_whatever_their_scale(scale):
    ref = _randn(1000, scale=scale)
    assert compare_outputs(ref, ref.clone()).ok


def test_empty_tensors_match():
    assert compare_outputs(torch.empty(0, 3), torch.empty(0, 3)).ok


# ----------------------------------------------------------------------------- cheats on small references

@pytest.mark.parametrize("scale", [1e-8, 1e-3, 1.0])
def test_zeros_on_a_near_zero_reference_fail(scale):
    ref = _randn(4096, scale=scale)
    if scale == 1e-8:
        # KernelBench's fixed atol=1e-2 would wave this through: show the test is meaningful.
        assert torch.allclose(torch.zeros_like(ref), ref, atol=1e-2, rtol=1e-2)
    m = compare_outputs(ref, torch.zeros_like(ref))
    assert not m.ok
    assert "outside tolerance" in m.reason
    assert m.metrics["mismatched"] > 4096 // 2


@pytest.mark.parametrize("scale", [1e-8, 1.0])
def test_constant_equal_to_the_mean_fails(scale):
    ref = _randn(2048, scale=scale) + 0.1 * scale
    m = compare_outputs(ref, torch.full_like(ref, float(ref.mean())))
    assert not m.ok
    assert m.metrics["rel_l2_err"] > 0.5


def test_constant_reference_value_broadcast_is_exact():
    ref = torch.full((10,), 3.25)
    assert compare_outputs(ref, torch.full((10,), 3.25)).ok


# ----------------------------------------------------------------------------- tolerances

@pytest.mark.parametrize("scale", [1e-8, 1.0, 1e6])
def test_fp32_small_relative_noise_passes(scale):
    ref = _randn(256, 256, scale=scale)
    m = compare_outputs(ref, _noisy(ref, 1e-4))
    assert m.ok, m.reason
    assert 0 < m.metrics["rel_l2_err"] < 1e-3


@pytest.mark.parametrize("scale", [1e-8, 1.0, 1e6])
def test_fp32_one_percent_relative_error_fails(scale):
    ref = _randn(256, 256, scale=scale)
    m = compare_outputs(ref, (ref.double() * 1.01).float())
    assert not m.ok
    assert m.metrics["mismatched"] > 0


def test_fp32_one_percent_error_in_a_single_element_fails_elementwise():
    ref = torch.ones(10_000)
    cand = ref.clone()
    cand[1234] = 1.05
    m = compare_outputs(ref, cand)
    assert not m.ok
    assert m.metrics["mismatched"] == 1
    assert "first at flat index 1234" in m.reason


def test_fp32_small_l2_only_violation_fails_on_l2():
    # Every element within the elementwise bound (1.5e-3 < 2e-3 + 2e-3) but the whole output off by 1.5e-3.
    ref = torch.ones(1000, dtype=torch.float32)
    cand = torch.full((1000,), 1.0015)
    m = compare_outputs(ref, cand)
    assert not m.ok
    assert m.metrics["mismatched"] == 0
    assert "relative L2 error" in m.reason and "float32" in m.reason


def test_fp16_tolerances_are_looser_than_fp32():
    f16, f32, bf16, f64 = (tolerance_for(n) for n in ("float16", "float32", "bfloat16", "float64"))
    assert all(a > b for a, b in zip(f16, f32))
    assert all(a > b for a, b in zip(bf16, f16))
    assert all(a < b for a, b in zip(f64, f32))
    assert tolerance_for("float32") == TOLERANCES["float32"]


def test_fp16_accepts_an_error_that_fp32_rejects():
    base = _randn(128, 128, seed=3)
    for dtype, expect in ((torch.float16, True), (torch.float32, False)):
        ref = base.to(dtype)
        cand = (ref.double() * 1.003).to(dtype)
        m = compare_outputs(ref, cand)
        assert m.ok is expect, (dtype, m.reason)


def test_bf16_precision_passed_off_as_fp32_fails():
    ref = _randn(256, 256, seed=4)
    cand = ref.to(torch.bfloat16).to(torch.float32)
    assert not compare_outputs(ref, cand).ok
    assert compare_outputs(ref.to(torch.bfloat16), cand.to(torch.bfloat16)).ok


def test_override_loosens_tolerances():
    ref = _randn(512, seed=5)
    cand = (ref.double() * 1.01).float()
    assert not compare_outputs(ref, cand).ok
    assert compare_outputs(ref, cand, override={"rtol": 0.05, "atol": 0.05, "l2": 0.05}).ok


def test_override_tightens_tolerances():
    ref = _randn(512, seed=6)
    cand = _noisy(ref, 1e-4)
    assert compare_outputs(ref, cand).ok
    m = compare_outputs(ref, cand, override={"rtol": 0.0, "atol": 0.0, "l2": 0.0})
    assert not m.ok and m.metrics["rtol"] == 0.0 and m.metrics["l2_tol"] == 0.0


def test_partial_override_changes_only_named_terms():
    assert tolerance_for("float32", {"l2": 0.5}) == (2e-3, 2e-3, 0.5)
    assert tolerance_for("float16", {"rtol": 0.1, "atol": 0.2}) == (0.1, 0.2, 5e-3)
    assert tolerance_for("float32", {}) == TOLERANCES["float32"]
    assert tolerance_for("float32", None) == TOLERANCES["float32"]
    m = compare_outputs(torch.ones(4), torch.ones(4), override={"atol": 0.25})
    assert m.metrics["atol"] == pytest.approx(0.25)  # atol is a fraction of the reference RMS (1.0)


def test_ints_and_bools_have_zero_tolerance():
    for name in ("int64", "int32", "int8", "uint8", "bool"):
        assert tolerance_for(name) == (0.0, 0.0, 0.0)


# ----------------------------------------------------------------------------- structure

def test_shape_mismatch_reason():
    m = compare_outputs(torch.zeros(2, 3), torch.zeros(3, 2))
    assert not m.ok
    assert m.reason == "output has shape (3, 2), expected (2, 3)"


def test_shape_mismatch_same_numel_broadcastable():
    ref = torch.ones(4, 1)
    assert not compare_outputs(ref, torch.ones(4)).ok
    assert not compare_outputs(ref, torch.ones(1, 4, 1)).ok


def test_dtype_mismatch_reason():
    ref = torch.ones(3)
    m = compare_outputs(ref, ref.double())
    assert not m.ok
    assert m.reason == "output has dtype torch.float64, expected torch.float32"
    assert not compare_outputs(ref.half(), ref.to(torch.bfloat16)).ok


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.int8, torch.uint8])
def test_int_outputs_must_be_exact(dtype):
    ref = torch.arange(1000).to(dtype)
    assert compare_outputs(ref, ref.clone()).ok
    cand = ref.clone()
    cand[500] += 1
    m = compare_outputs(ref, cand)
    assert not m.ok
    assert m.metrics == {"mismatched": 1, "numel": 1000}
    assert "exact match required" in m.reason


def test_big_int64_values_compared_exactly():
    ref = torch.tensor([2 ** 62, 2 ** 62 + 1], dtype=torch.int64)
    cand = torch.tensor([2 ** 62, 2 ** 62], dtype=torch.int64)  # equal as float64, not as ints
    assert not compare_outputs(ref, cand).ok


def test_bool_outputs_must_be_exact():
    ref = torch.tensor([True, False, True])
    assert compare_outputs(ref, ref.clone()).ok
    assert not compare_outputs(ref, torch.tensor([True, True, True])).ok


# ----------------------------------------------------------------------------- non-finite values

def test_nan_where_reference_has_none_fails():
    ref = _randn(100)
    cand = ref.clone()
    cand[7] = float("nan")
    m = compare_outputs(ref, cand)
    assert not m.ok
    assert "NaN/Inf" in m.reason


def test_missing_the_references_nan_fails():
    ref = _randn(100)
    ref[3] = float("nan")
    cand = ref.clone()
    cand[3] = 0.0
    assert not compare_outputs(ref, cand).ok


def test_nan_in_the_same_places_passes():
    ref = _randn(100)
    ref[[3, 50, 99]] = float("nan")
    cand = _noisy(ref, 1e-5)
    assert torch.isnan(cand[[3, 50, 99]]).all()
    m = compare_outputs(ref, cand)
    assert m.ok, m.reason
    assert m.metrics["numel"] == 97


def test_all_nan_in_the_same_places_passes():
    ref = torch.full((4,), float("nan"))
    assert compare_outputs(ref, ref.clone()).ok


def test_inf_sign_mismatch_fails():
    ref = _randn(50)
    ref[10] = float("inf")
    ref[20] = float("-inf")
    cand = ref.clone()
    assert compare_outputs(ref, cand).ok
    cand[10] = float("-inf")
    m = compare_outputs(ref, cand)
    assert not m.ok
    assert "wrong sign" in m.reason


def test_nan_where_reference_has_inf_fails():
    ref = torch.tensor([1.0, float("inf"), 2.0])
    assert not compare_outputs(ref, torch.tensor([1.0, float("nan"), 2.0])).ok


# ----------------------------------------------------------------------------- nested outputs

def test_tuple_outputs_match_elementwise():
    a, b = _randn(10, seed=1), torch.arange(5)
    m = compare_outputs((a, b), (a.clone(), b.clone()))
    assert m.ok
    assert set(m.metrics) == {"0", "1"}


def test_tuple_with_wrong_length_fails():
    a = _randn(10)
    m = compare_outputs((a, a), (a,))
    assert not m.ok
    assert m.reason == "output should be a tuple of 2 items, got tuple of 1"
    m = compare_outputs((a, a), (a, a, a))
    assert not m.ok and "got tuple of 3" in m.reason


def test_tensor_where_tuple_expected_fails():
    a = _randn(10)
    m = compare_outputs((a,), a)
    assert not m.ok
    assert "should be a tuple of 1 items, got Tensor" in m.reason


def test_wrong_element_in_tuple_names_its_position():
    a, b = _randn(10, seed=1), _randn(10, seed=2)
    m = compare_outputs([a, b], [a.clone(), b * 2])
    assert not m.ok
    assert m.reason.startswith("output[1]")


def test_nested_values_and_scalars():
    assert compare_outputs((torch.ones(2), 3, "x"), [torch.ones(2), 3, "x"]).ok
    m = compare_outputs((torch.ones(2), 3), (torch.ones(2), 4))
    assert not m.ok and m.reason == "output[1] should be 3, got 4"


def test_opaque_output_is_not_a_tensor():
    m = compare_outputs(torch.ones(3), Opaque("numpy.ndarray"))
    assert not m.ok
    assert m.reason == "output is a numpy.ndarray, not a torch.Tensor"


def test_non_tensor_output_is_not_a_tensor():
    for cand in (None, [1.0, 1.0, 1.0], 1.0):
        m = compare_outputs(torch.ones(3), cand)
        assert not m.ok and "not a torch.Tensor" in m.reason


def test_opaque_from_the_codec_is_reported():
    import numpy as np
    m = compare_outputs((torch.ones(3),), _wire((np.ones(3),)))
    assert not m.ok and m.reason == "output[0] is a numpy.ndarray, not a torch.Tensor"


# ----------------------------------------------------------------------------- complex outputs

@pytest.mark.filterwarnings("ignore:Casting complex values")
def test_complex_identical_matches():
    ref = torch.complex(_randn(100, seed=1), _randn(100, seed=2))
    assert compare_outputs(ref, _wire(ref)).ok


def test_complex_output_with_wrong_imaginary_part_fails():
    ref = torch.complex(_randn(100, seed=1), _randn(100, seed=2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = compare_outputs(ref, ref.conj().resolve_conj())
    assert not m.ok


@pytest.mark.filterwarnings("ignore:Casting complex values")
def test_complex64_tolerates_float32_rounding():
    ref = torch.complex(_randn(1000, seed=1), _randn(1000, seed=2))
    cand = torch.complex(_noisy(ref.real, 1e-5, seed=3), _noisy(ref.imag, 1e-5, seed=4))
    assert compare_outputs(ref, cand).ok


# ----------------------------------------------------------------------------- inputs_unchanged

def test_inputs_unchanged_accepts_equal_inputs():
    a, b = _randn(100), torch.arange(10)
    assert inputs_unchanged([a, b, 3, None], [a.clone(), b.clone(), 3, None]) is None


def test_inputs_unchanged_detects_one_changed_element():
    a, b = _randn(100), _randn(50, seed=9)
    after = b.clone()
    after[17] = after[17] + 1e-6
    reason = inputs_unchanged([a, b], [a.clone(), after])
    assert reason == "input 1 was modified by the call (1 elements changed)"


def test_inputs_unchanged_detects_changed_int_input():
    b = torch.arange(10)
    after = b.clone()
    after[0] = 99
    assert "input 0 was modified" in inputs_unchanged([b], [after])


def test_inputs_unchanged_is_nan_aware():
    a = _randn(10)
    a[[1, 4]] = float("nan")
    assert inputs_unchanged([a], [a.clone()]) is None
    after = a.clone()
    after[1] = 0.0
    assert inputs_unchanged([a], [after]) is not None
    after = a.clone()
    after[2] = float("nan")
    assert inputs_unchanged([a], [after]) is not None


def test_inputs_unchanged_detects_type_shape_dtype_changes():
    a = _randn(6)
    assert "changed type or shape" in inputs_unchanged([a], [a.reshape(2, 3)])
    assert "changed type or shape" in inputs_unchanged([a], [a.double()])
    assert "changed type or shape" in inputs_unchanged([a], [Opaque("x")])
    assert "changed type or shape" in inputs_unchanged([a], [None])


def test_inputs_unchanged_rejects_missing_inputs():
    a = _randn(6)
    assert inputs_unchanged([a], []) is not None


# ----------------------------------------------------------------------------- degeneracy

def test_degeneracy_detects_input_independent_outputs():
    out = _randn(100, seed=1)
    reason = degeneracy(out, out.clone())
    assert reason is not None and "does not depend on its inputs" in reason
    assert "does not depend" in degeneracy((out, torch.arange(3)), (out.clone(), torch.arange(3)))


def test_degeneracy_detects_constant_outputs():
    reason = degeneracy(torch.full((100,), 3.0), torch.full((100,), 4.0))
    assert reason is not None and "constant" in reason
    assert "constant" in degeneracy(torch.zeros(10), torch.zeros(10) + 1e-3)
    near = torch.full((100,), 5.0, dtype=torch.float64)
    near[0] += 1e-9
    assert "constant" in degeneracy(near, near + 1)


def test_degeneracy_none_for_a_normal_output():
    x1, x2 = _randn(64, 32, seed=1), _randn(64, 32, seed=2)
    assert degeneracy(torch.relu(x1), torch.relu(x2)) is None
    assert degeneracy((x1.sum(1), x1.argmax(1)), (x2.sum(1), x2.argmax(1))) is None


def test_degeneracy_ignores_nonfinite_when_judging_constancy():
    a = _randn(100, seed=1)
    a[0] = float("inf")
    b = _randn(100, seed=2)
    assert degeneracy(a, b) is None


def test_degeneracy_with_no_tensor_data():
    assert degeneracy(3, 4) == "the reference returns no tensor data"
    assert degeneracy(torch.empty(0), torch.empty(0)) == "the reference returns no tensor data"
    assert degeneracy([], []) == "the reference returns no tensor data"


def test_degeneracy_single_element_output_is_not_called_constant():
    assert degeneracy(torch.tensor([1.5]), torch.tensor([2.5])) is None

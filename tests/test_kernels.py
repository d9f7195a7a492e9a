"""Kernels: every variant exact to a few ulp and quiet at saturation; the choice follows NumPy."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skmlp import _kernels
from skmlp._kernels import choose_logistic, logistic, logistic_exp, logistic_expit, simd_level

VARIANTS = [logistic_exp, logistic_expit]
TOLERANCE = {np.float64: 1e-12, np.float32: 1e-6}


def _reference(x):
    """The logistic in float64, from the sign-split formula."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


@pytest.mark.parametrize("kernel", VARIANTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_variants_match_the_reference(kernel, dtype):
    # dense over the range where the result is a normal number of the dtype
    limit = 700.0 if dtype == np.float64 else 85.0
    x = np.concatenate([np.linspace(-limit, limit, 20001), np.geomspace(1e-12, 1, 50)])
    x = x.astype(dtype)
    out = kernel(x, np.empty_like(x))
    assert out.dtype == dtype
    tiny = np.finfo(dtype).tiny
    assert_allclose(out, _reference(x), rtol=TOLERANCE[dtype], atol=tiny)


@pytest.mark.parametrize("kernel", VARIANTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_variants_saturate_quietly(kernel, dtype):
    x = np.array([-1e4, -800.0, -100.0, 0.0, 100.0, 800.0, 1e4], dtype=dtype)
    # underflow to zero is the exact answer (and silent by default)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = kernel(x, np.empty_like(x))
    assert np.isfinite(out).all()
    assert out[0] <= np.finfo(dtype).tiny
    assert out[-1] == 1.0
    assert out[3] == 0.5


@pytest.mark.parametrize("kernel", VARIANTS)
def test_variants_work_in_place(kernel, rng):
    x = rng.normal(size=(25, 20))
    expected = _reference(x)
    out = kernel(x, x)
    assert out is x
    assert_allclose(x, expected, rtol=1e-12)


def test_simd_level_follows_numpys_feature_report():
    assert simd_level({"X86_V4": True, "X86_V3": True}) == "avx512"
    assert simd_level({"AVX512_SKX": True, "AVX2": True}) == "avx512"  # NumPy < 2.4 names
    assert simd_level({"X86_V4": False, "X86_V3": True}) == "avx2"
    assert simd_level({"X86_V3": False}) == "baseline"
    assert simd_level() in ("avx512", "avx2", "baseline")


def test_choice_depends_only_on_level_dtype_and_size():
    assert choose_logistic("avx512", np.float64, 500) is logistic_expit  # one call beats four
    assert choose_logistic("avx512", np.float64, 10**6) is logistic_exp
    assert choose_logistic("avx2", np.float64, 10**6) is logistic_exp
    assert choose_logistic("avx2", np.float64, 4096) is logistic_expit
    assert choose_logistic("avx2", np.float32, 500) is logistic_expit
    assert choose_logistic("avx2", np.float32, 10**6) is logistic_exp
    assert choose_logistic("baseline", np.float32, 10**6) is logistic_expit


def test_the_process_choice_is_fixed_at_import(monkeypatch, rng):
    x = rng.normal(size=(4, 3))
    level, first = _kernels._LEVEL, logistic(x, np.empty_like(x))
    monkeypatch.setattr(_kernels, "_CPU_FEATURES", {})  # reading features again changes nothing
    assert_allclose(logistic(x, np.empty_like(x)), first, rtol=0)
    assert level == _kernels._LEVEL

"""Input checks that the parameter constraints cannot express."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPLayerClassifier
from skmlp._validation import validate_fit_data, validate_predict_data


def test_fit_data_dtypes_and_formats(rng):
    est = MLPLayerClassifier()
    X32 = rng.normal(size=(5, 3)).astype(np.float32)
    X, y, sw, seen = validate_fit_data(est, X32, [0, 1, 0, 1, 1], None, reset=True)
    assert not hasattr(est, "n_features_in_")  # nothing is written before the fit succeeds
    assert seen.n_features_in_ == 3
    np.testing.assert_array_equal(y, [0, 1, 0, 1, 1])
    assert X.dtype == np.float32
    assert X is X32  # no copy of the caller's array
    assert sw is None
    X, _, sw, _ = validate_fit_data(
        est, X32.astype(int), [0, 1, 0, 1, 1], [1, 2, 3, 4, 5], reset=True
    )
    assert X.dtype == np.float64
    assert sw.dtype == np.float64
    X, *_ = validate_fit_data(est, sp.csc_matrix(X32), [0, 1, 0, 1, 1], None, reset=True)
    assert X.format == "csr"


def test_predict_data_requires_a_fit_and_the_same_width(rng):
    est = MLPLayerClassifier(max_iter=1, early_stopping=False)
    with pytest.raises(Exception, match="not fitted"):
        validate_predict_data(est, rng.normal(size=(2, 3)))
    with pytest.warns(ConvergenceWarning):
        est.fit(rng.normal(size=(6, 3)), [0, 1, 0, 1, 0, 1])
    X = rng.normal(size=(2, 3))
    assert validate_predict_data(est, X) is X
    with pytest.raises(ValueError, match="3 features"):
        validate_predict_data(est, rng.normal(size=(2, 4)))


@pytest.mark.parametrize("fmt", ["dense64", "dense32", "csr", "csc"])
@pytest.mark.parametrize(
    ("bad", "match"), [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")]
)
def test_fit_refuses_nan_and_infinity(fmt, bad, match):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 5))
    X[17, 3] = bad
    X = {
        "dense64": lambda: X,
        "dense32": lambda: X.astype(np.float32),
        "csr": lambda: sp.csr_matrix(X),
        "csc": lambda: sp.csc_matrix(X),
    }[fmt]()
    y = np.arange(40) % 2
    with pytest.raises(ValueError, match=f"Input X contains {match}"):
        MLPLayerClassifier(max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match=match):
        MLPLayerClassifier().partial_fit(X, y, classes=[0, 1])


@pytest.mark.parametrize("n_rows", [3, 600])  # the small-array check and the sum
def test_prediction_fast_path_takes_huge_finite_values_without_warning(rng, n_rows):
    est = MLPLayerClassifier(max_iter=1, early_stopping=False)
    with pytest.warns(ConvergenceWarning):
        est.fit(rng.normal(size=(6, 4)), [0, 1, 0, 1, 0, 1])
    X = np.full((n_rows, 4), 1e308)  # finite, but its sum overflows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert validate_predict_data(est, X) is not None
    X[1, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        validate_predict_data(est, X)
    X[1, 2] = -np.inf
    with pytest.raises(ValueError, match="infinity"):
        validate_predict_data(est, X)

"""Input checks that the parameter constraints cannot express."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPLayerClassifier
from skmlp._data import row_keys
from skmlp._validation import (
    check_finite_rows,
    check_hidden_layer_sizes,
    check_layers,
    validate_fit_data,
    validate_predict_data,
)
from skmlp.layers import Linear, ReLU, SoftmaxOutput


def test_hidden_layer_sizes_accepts_ints_and_sequences():
    assert check_hidden_layer_sizes(7) == [7]
    assert check_hidden_layer_sizes((20, 20)) == [20, 20]
    assert check_hidden_layer_sizes(np.array([3, 4])) == [3, 4]
    for bad in [(20, 0), (2.5,), [-1]]:
        with pytest.raises(ValueError, match="positive integers"):
            check_hidden_layer_sizes(bad)


def test_check_layers():
    check_layers([Linear(3), ReLU(), Linear(), SoftmaxOutput()])
    with pytest.raises(ValueError, match="Layer instances"):
        check_layers([Linear(3), "relu", SoftmaxOutput()])
    with pytest.raises(ValueError, match="output layer"):
        check_layers([Linear(3), ReLU()])
    with pytest.raises(ValueError, match="Linear"):
        check_layers([ReLU(), SoftmaxOutput()])


def test_fit_data_dtypes_and_formats(rng):
    est = MLPLayerClassifier()
    X32 = rng.normal(size=(5, 3)).astype(np.float32)
    X, y, sw = validate_fit_data(est, X32, [0, 1, 0, 1, 1], None, reset=True)
    np.testing.assert_array_equal(y, [0, 1, 0, 1, 1])
    assert X.dtype == np.float32
    assert X is X32  # no copy of the caller's array
    assert sw is None
    X, _, sw = validate_fit_data(est, X32.astype(int), [0, 1, 0, 1, 1], [1, 2, 3, 4, 5], reset=True)
    assert X.dtype == np.float64
    assert sw.dtype == np.float64
    X, _, _ = validate_fit_data(est, sp.csc_matrix(X32), [0, 1, 0, 1, 1], None, reset=True)
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
def test_fit_finds_nan_and_infinity_through_the_row_keys(fmt, bad, match):
    # fit skips scikit-learn's own finiteness pass and checks the row hash
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


def test_keys_that_overflow_on_finite_values_are_not_an_error():
    X = np.full((3, 4), 1e308)
    assert not np.isfinite(row_keys(X)).all()  # the sum overflows...
    check_finite_rows(MLPLayerClassifier(), X, row_keys(X))  # ...but X is finite
    X[1, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        check_finite_rows(MLPLayerClassifier(), X, row_keys(X))

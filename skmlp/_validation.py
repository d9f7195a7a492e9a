"""Input checks: the one module that imports scikit-learn's private validation API."""

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _assert_all_finite,
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from skmlp.layers import Layer, Linear, OutputLayer

__all__ = [
    "HasMethods",
    "Interval",
    "StrOptions",
    "_fit_context",
    "check_finite_rows",
    "check_hidden_layer_sizes",
    "check_is_fitted",
    "check_layers",
    "validate_fit_data",
    "validate_predict_data",
]

_DTYPES = [np.float64, np.float32]


def validate_fit_data(estimator, X, y, sample_weight, *, reset):
    """Check ``X``, ``y`` and ``sample_weight`` for fitting.

    Floating ``X`` of dtype float32 stays float32; anything else becomes
    float64. CSR and CSC matrices are accepted (CSC is converted to CSR for
    fast row access); nothing is densified and the caller's arrays are never
    written to. ``X`` is *not* checked for NaN and infinity here: the caller
    must call :func:`check_finite_rows` (the row hashing that merges
    duplicates reads every value anyway, so one pass over ``X`` does both).

    Parameters
    ----------
    estimator : BaseEstimator
        Records ``n_features_in_`` and ``feature_names_in_`` when ``reset``.
    X : array-like or sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,) or None
    reset : bool
        Whether this is a first fit (record the feature count and names) or a
        later one (check them).

    Returns
    -------
    X : ndarray or sparse matrix
    y : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,) or None
    """
    X, y = validate_data(
        estimator,
        X,
        y,
        reset=reset,
        accept_sparse=["csr", "csc"],
        dtype=_DTYPES,
        multi_output=False,
        ensure_all_finite=False,
    )
    if getattr(X, "format", None) == "csc":
        X = X.tocsr()
    check_classification_targets(y)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
    return X, y, sample_weight


def check_finite_rows(estimator, X, keys):
    """Raise scikit-learn's error if ``X`` holds NaN or infinity.

    Parameters
    ----------
    estimator : BaseEstimator
        Named in the message.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    keys : ndarray of shape (n_samples,)
        :func:`skmlp._data.row_keys` of ``X``: all finite when ``X`` is. A
        non-finite key may also come from finite values that overflow, so
        only then is ``X`` checked value by value.
    """
    if not np.isfinite(keys).all():
        values = X.data if hasattr(X, "data") and not isinstance(X, np.ndarray) else X
        _assert_all_finite(values, estimator_name=type(estimator).__name__, input_name="X")


def validate_predict_data(estimator, X):
    """Check ``X`` for prediction against what the estimator was fitted on.

    A float ndarray of the right width, for an estimator fitted without
    feature names, takes a fast path with the same checks (dimensions, width,
    finiteness: the sum of finite values is finite unless it overflows, and
    then the full check runs); everything else goes through scikit-learn's
    ``validate_data``, with its messages and feature-name warnings.
    """
    check_is_fitted(estimator, "classes_")
    if (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype in _DTYPES
        and X.shape[0] > 0
        and X.shape[1] == estimator.n_features_in_
        and not hasattr(estimator, "feature_names_in_")
        and np.isfinite(X.sum())
    ):
        return X
    return validate_data(estimator, X, reset=False, accept_sparse=["csr", "csc"], dtype=_DTYPES)


def check_hidden_layer_sizes(hidden_layer_sizes):
    """Return ``hidden_layer_sizes`` as a list of positive ints, or raise ValueError."""
    sizes = [hidden_layer_sizes] if np.ndim(hidden_layer_sizes) == 0 else list(hidden_layer_sizes)
    if any(int(s) != s or s < 1 for s in sizes):
        raise ValueError(
            f"hidden_layer_sizes must contain positive integers, got {hidden_layer_sizes!r}."
        )
    return [int(s) for s in sizes]


def check_layers(layers):
    """Check a custom layer stack: Layer objects ending in an OutputLayer after a Linear."""
    if not all(isinstance(layer, Layer) for layer in layers):
        raise ValueError(
            "layers must be a list of skmlp.layers.Layer instances, got "
            f"{[type(layer).__name__ for layer in layers]}."
        )
    if not layers or not isinstance(layers[-1], OutputLayer):
        raise ValueError(
            "layers must end with an output layer such as skmlp.layers.SoftmaxOutput()."
        )
    if not any(isinstance(layer, Linear) for layer in layers):
        raise ValueError("layers must contain at least one Linear layer.")

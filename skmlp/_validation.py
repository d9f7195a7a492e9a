"""Input checks: the one module that imports scikit-learn's private validation API."""

import copy

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

__all__ = [
    "Interval",
    "Options",
    "StrOptions",
    "_fit_context",
    "check_is_fitted",
    "validate_fit_data",
    "validate_predict_data",
]

_DTYPES = [np.float64, np.float32]


class _Seen:
    """What a first validation learnt about the features, to commit once the fit succeeds.

    scikit-learn's ``validate_data`` writes ``n_features_in_`` and
    ``feature_names_in_`` on the object it is given; a fit must not touch
    the estimator before it has succeeded, so a first fit validates against
    a shallow copy (same class, so messages name the estimator) and keeps
    the two values here.
    """

    def __init__(self, proxy):
        self.n_features_in_ = proxy.n_features_in_
        self.feature_names_in_ = getattr(proxy, "feature_names_in_", None)

    def commit_to(self, estimator):
        """Set the recorded feature count and names on ``estimator``."""
        estimator.n_features_in_ = self.n_features_in_
        if self.feature_names_in_ is not None:
            estimator.feature_names_in_ = self.feature_names_in_
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_


def validate_fit_data(estimator, X, y, sample_weight, *, reset, classifier=True):
    """Check ``X``, ``y`` and ``sample_weight`` for fitting, without writing to ``estimator``.

    Floating ``X`` of dtype float32 stays float32; anything else becomes
    float64. CSR and CSC matrices are accepted (CSC is converted to CSR for
    fast row access); nothing is densified and the caller's arrays are never
    written to. NaN and infinity are refused with scikit-learn's message.

    Parameters
    ----------
    estimator : BaseEstimator
        Checked against (feature count and names) when not ``reset``; never
        modified.
    X : array-like or sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        A column vector becomes 1-D with scikit-learn's
        ``DataConversionWarning``.
    sample_weight : array-like of shape (n_samples,) or None
    reset : bool
        Whether this is a first fit (record the feature count and names) or a
        later one (check them).
    classifier : bool, default=True
        Check ``y`` as classification targets (labels or a multilabel
        indicator matrix), or as numbers (regression).

    Returns
    -------
    X : ndarray or sparse matrix
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    seen : _Seen or None
        With ``reset``, what to commit to the estimator once the fit succeeds.
    """
    target = copy.copy(estimator) if reset else estimator
    X, y = validate_data(
        target,
        X,
        y,
        reset=reset,
        accept_sparse=["csr", "csc"],
        dtype=_DTYPES,
        multi_output=True,
        y_numeric=not classifier,
    )
    if getattr(X, "format", None) == "csc":
        X = X.tocsr()
    if hasattr(y, "toarray"):  # a sparse indicator matrix: small, and read row by row
        y = y.toarray()
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    if classifier:
        check_classification_targets(y)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
    return X, y, sample_weight, _Seen(target) if reset else None


def validate_predict_data(estimator, X):
    """Check ``X`` for prediction against what the estimator was fitted on.

    A float ndarray of the right width, for an estimator fitted without
    feature names, takes a fast path with the same checks (dimensions, width,
    finiteness: the sum of finite values is finite unless it overflows, and
    then the full check runs); everything else goes through scikit-learn's
    ``validate_data``, with its messages and feature-name warnings.
    """
    if "n_outputs_" not in vars(estimator):  # one dict lookup on the 1-row hot path
        check_is_fitted(estimator, "n_outputs_")  # raises NotFittedError
    if (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype in _DTYPES
        and X.shape[0] > 0
        and X.shape[1] == estimator.n_features_in_
        and not hasattr(estimator, "feature_names_in_")
        and _sum_is_finite(X)
    ):
        return X
    return validate_data(estimator, X, reset=False, accept_sparse=["csr", "csc"], dtype=_DTYPES)


def _sum_is_finite(X):
    if X.size <= 1024:  # a few rows: isfinite never warns, and needs no errstate
        return bool(np.isfinite(X).all())
    # An overflowing sum of finite values is not an error, only a reason to
    # take the full check: no RuntimeWarning for valid input such as 1e308.
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(X.sum()))

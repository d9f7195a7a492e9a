"""Output functions, their losses and the L2 penalty: pure, numerically stable functions.

Each loss pairs with an output function through its canonical link, so the
gradient of the loss with respect to the logits is the residual
``(prediction - target) * w / sum(w)`` (:func:`residual_grad`): softmax with
the cross-entropy, the sigmoid with the binary cross-entropy, the identity
with half the squared error and the exponential with the Poisson deviance.
Every loss is computed from the logits, so that it stays finite where a
prediction rounds to 0 or 1.
"""

import numpy as np
from scipy.special import xlogy

from skmlp._kernels import logistic


def softmax(Z, out=None):
    """Row-wise softmax, stable for any finite input.

    The row maximum is subtracted before exponentiating, so no entry of
    ``exp`` exceeds 1 and nothing overflows.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_classes)
        Logits.
    out : ndarray of shape (n_samples, n_classes), default=None
        Where to write the probabilities; may be ``Z`` itself.

    Returns
    -------
    P : ndarray of shape (n_samples, n_classes)
        Probabilities; each row sums to one.
    """
    if out is None:
        out = np.empty_like(Z)
    row = np.empty((Z.shape[0], 1), dtype=Z.dtype)
    np.subtract(Z, row_max(Z, row), out=out)
    np.exp(out, out=out)
    # the row sums through BLAS: several times cheaper than a reduction over a short axis
    np.dot(out, np.ones(Z.shape[1], dtype=Z.dtype), out=row[:, 0])
    out /= row
    return out


#: Below this many rows, or above this many columns, :func:`row_max` reduces
#: along the rows in one call; otherwise it loops over the columns, whose
#: element-wise maximum is several times faster than NumPy's reduction over
#: a short axis once the call overhead is paid for.
_ROW_MAX_MIN_ROWS, _ROW_MAX_MAX_COLS = 256, 64


def row_max(Z, out):
    """Maximum of every row of ``Z`` into ``out`` of shape ``(n_samples, 1)``; returns ``out``.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_columns)
    out : ndarray of shape (n_samples, 1)

    Returns
    -------
    out : ndarray of shape (n_samples, 1)
        NaN where a row holds NaN, as :func:`numpy.max`.
    """
    n_rows, n_cols = Z.shape
    if n_rows < _ROW_MAX_MIN_ROWS or n_cols > _ROW_MAX_MAX_COLS or n_cols == 0:
        return np.maximum.reduce(Z, axis=1, keepdims=True, out=out)
    column = out[:, 0]
    np.copyto(column, Z[:, 0])
    for j in range(1, n_cols):
        np.maximum(column, Z[:, j], out=column)
    return out


def softmax_parts(Z, out, shifted, row_sum, ones=None):
    """Stable row-wise softmax that also keeps its parts, all in given buffers.

    ``P = exp(shifted) / row_sum`` with ``shifted = Z - max(Z)`` per row;
    ``shifted`` and ``row_sum`` are all :func:`log_loss_from_parts` needs.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_classes)
        Logits; not modified.
    out : ndarray of shape (n_samples, n_classes)
        Receives the probabilities.
    shifted : ndarray of shape (n_samples, n_classes)
        Receives ``Z`` minus its row maximum.
    row_sum : ndarray of shape (n_samples, 1)
        Receives the row sums of ``exp(shifted)``.
    ones : ndarray of shape (n_classes,), default=None
        A vector of ones; given, the row sums are computed as ``P @ ones``
        through BLAS, much cheaper than a reduction over a short axis.

    Returns
    -------
    P : ndarray of shape (n_samples, n_classes)
        ``out``.
    """
    # row_sum holds the row maximum first.
    row_max(Z, row_sum)
    np.subtract(Z, row_sum, out=shifted)
    np.exp(shifted, out=out)
    if ones is None:
        np.sum(out, axis=1, keepdims=True, out=row_sum)
    else:
        np.dot(out, ones, out=row_sum[:, 0])
    out /= row_sum
    return out


def log_loss_from_parts(shifted, Y, row_sum, sample_weight=None):
    """Mean log-loss from the parts kept by :func:`softmax_parts`.

    Uses ``-log P_ik = log(row_sum_i) - shifted_ik``, exact and finite even
    where ``P_ik`` underflows to zero. Rows of ``Y`` must sum to one.

    Parameters
    ----------
    shifted : ndarray of shape (n_samples, n_classes)
        Logits minus their row maximum.
    Y : ndarray of shape (n_samples, n_classes)
        One-hot (or soft) targets.
    row_sum : ndarray of shape (n_samples, 1)
        Row sums of ``exp(shifted)``.
    sample_weight : ndarray of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    loss : float
    """
    if sample_weight is None:
        return float(np.log(row_sum).sum() - np.vdot(shifted, Y)) / shifted.shape[0]
    per_row = np.log(row_sum[:, 0]) - np.einsum("ij,ij->i", shifted, Y)
    return float(np.dot(sample_weight, per_row) / sample_weight.sum())


def log_softmax(Z):
    """Row-wise log of the softmax, computed without taking the log of a rounded zero.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_classes)
        Logits.

    Returns
    -------
    log_P : ndarray of shape (n_samples, n_classes)
        ``Z - logsumexp(Z, axis=1)``; finite wherever ``Z`` is finite.
    """
    shifted = Z - Z.max(axis=1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return shifted


def log_loss_from_logits(Z, Y, sample_weight=None):
    """Mean cross-entropy of one-hot targets under ``softmax(Z)``.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_classes)
        Logits.
    Y : ndarray of shape (n_samples, n_classes)
        One-hot (or soft) targets.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the rows; the mean is weighted by them.

    Returns
    -------
    loss : float
        ``-sum_i w_i sum_k Y_ik log P_ik / sum_i w_i``; finite for finite ``Z``.
    """
    per_row = -np.einsum("ij,ij->i", log_softmax(Z), Y)
    return _weighted_mean(per_row, sample_weight)


def residual_grad(P, Y, sample_weight=None, out=None, scale=1.0):
    """Gradient of a canonical-link loss with respect to the logits.

    Softmax with the cross-entropy, the sigmoid with the binary
    cross-entropy, the identity with half the squared error and the
    exponential with the Poisson deviance all have the fused gradient
    ``(P - Y) * w / sum(w)``, cheaper and better conditioned than chaining
    the output's Jacobian with the loss derivative.

    Parameters
    ----------
    P : ndarray of shape (n_samples, n_outputs)
        Predictions (probabilities, values or means).
    Y : ndarray of shape (n_samples, n_outputs)
        Targets.
    sample_weight : ndarray of shape (n_samples,), default=None
        Row weights; ``None`` means all ones.
    out : ndarray of shape (n_samples, n_classes), default=None
        Where to write the gradient.
    scale : float, default=1.0
        Factor applied to the gradient, at no extra cost.

    Returns
    -------
    grad : ndarray of shape (n_samples, n_outputs)
        Gradient of the loss with respect to the logits, times ``scale``.
    """
    out = np.subtract(P, Y, out=out)
    if sample_weight is None:
        out *= scale / P.shape[0]
    else:
        out *= (sample_weight * (scale / sample_weight.sum()))[:, None]
    return out


def sigmoid(Z, out=None):
    """Logistic sigmoid ``1 / (1 + exp(-z))``, without overflow or warnings for any input.

    Parameters
    ----------
    Z : ndarray
        Logits.
    out : ndarray, default=None
        Where to write the result; may be ``Z`` itself.

    Returns
    -------
    P : ndarray
        Probabilities in [0, 1].
    """
    return logistic(Z, np.empty_like(Z) if out is None else out)


def log_sigmoid(Z):
    """``log(sigmoid(z)) = -log(1 + exp(-z))``, finite for every finite ``z``.

    Parameters
    ----------
    Z : ndarray
        Logits.

    Returns
    -------
    log_P : ndarray
    """
    return -np.logaddexp(0.0, -Z)


def binary_log_loss_from_logits(Z, Y, sample_weight=None):
    """Binary cross-entropy of targets in [0, 1] under ``sigmoid(Z)``, summed over outputs.

    Per entry ``-y log p - (1 - y) log(1 - p) = log(1 + exp(z)) - y z``,
    computed stably for any finite ``z``; summed over the outputs and
    averaged over the rows (weighted), as scikit-learn's ``binary_log_loss``.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_outputs)
        Logits.
    Y : ndarray of shape (n_samples, n_outputs)
        Targets (0/1 labels or probabilities).
    sample_weight : ndarray of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    loss : float
    """
    per_entry = np.logaddexp(0.0, Z)
    per_entry -= Y * Z
    return _weighted_mean(per_entry.sum(axis=1), sample_weight)


def half_squared_error(Z, Y, sample_weight=None):
    """Half the squared error ``(z - y)**2 / 2``, summed over outputs, mean over rows.

    The sum over outputs keeps the loss consistent with its gradient
    ``(z - y) * w / sum(w)``; scikit-learn's MLPRegressor reports the mean
    over outputs instead (the same for one output), while training on the
    same gradient.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_outputs)
        Predictions.
    Y : ndarray of shape (n_samples, n_outputs)
        Targets.
    sample_weight : ndarray of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    loss : float
    """
    residual = Z - Y
    return 0.5 * _weighted_mean(np.einsum("ij,ij->i", residual, residual), sample_weight)


def poisson_loss_from_logits(Z, Y, sample_weight=None):
    """Half the Poisson deviance of counts ``Y`` under means ``exp(Z)``, summed over outputs.

    Per entry ``y log(y / mu) - y + mu`` with ``mu = exp(z)``, computed as
    ``exp(z) - y z + y log y - y`` (zero for a perfect prediction), as
    scikit-learn's ``poisson_loss``.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_outputs)
        Logits (log means).
    Y : ndarray of shape (n_samples, n_outputs)
        Non-negative targets.
    sample_weight : ndarray of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    loss : float
    """
    per_entry = np.exp(Z)
    per_entry -= Y * Z
    per_entry += xlogy(Y, Y)
    per_entry -= Y
    return _weighted_mean(per_entry.sum(axis=1), sample_weight)


def l2_penalty(coefs, alpha, sw_sum):
    """L2 penalty ``alpha / 2 * sum ||W||^2 / sw_sum`` as in scikit-learn's MLP.

    Parameters
    ----------
    coefs : list of ndarray
        The weight matrices (intercepts are not penalised).
    alpha : float
        Strength of the penalty.
    sw_sum : float
        Total sample weight of the batch the penalty is added to.

    Returns
    -------
    penalty : float
    """
    total = sum(float(np.dot(W.ravel(), W.ravel())) for W in coefs)
    return 0.5 * alpha * total / sw_sum


def _weighted_mean(values, sample_weight):
    if sample_weight is None:
        return float(values.mean())
    return float(np.dot(values, sample_weight) / sample_weight.sum())

"""Softmax, log-loss and the L2 penalty: pure, numerically stable functions."""

import numpy as np


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
    np.subtract(Z, Z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
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
    # row_sum holds the row maximum first. The ufunc method is called
    # directly: np.max's Python wrapper costs as much as the work.
    np.maximum.reduce(Z, axis=1, keepdims=True, out=row_sum)
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


def softmax_log_loss_grad(P, Y, sample_weight=None, out=None, scale=1.0):
    """Gradient of the mean log-loss with respect to the logits.

    Softmax followed by cross-entropy has the fused gradient
    ``(P - Y) * w / sum(w)``, cheaper and better conditioned than chaining
    the softmax Jacobian with ``-Y / P``.

    Parameters
    ----------
    P : ndarray of shape (n_samples, n_classes)
        Softmax probabilities.
    Y : ndarray of shape (n_samples, n_classes)
        One-hot targets.
    sample_weight : ndarray of shape (n_samples,), default=None
        Row weights; ``None`` means all ones.
    out : ndarray of shape (n_samples, n_classes), default=None
        Where to write the gradient.
    scale : float, default=1.0
        Factor applied to the gradient, at no extra cost.

    Returns
    -------
    grad : ndarray of shape (n_samples, n_classes)
        Gradient of the loss with respect to the logits, times ``scale``.
    """
    out = np.subtract(P, Y, out=out)
    if sample_weight is None:
        out *= scale / P.shape[0]
    else:
        out *= (sample_weight * (scale / sample_weight.sum()))[:, None]
    return out


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

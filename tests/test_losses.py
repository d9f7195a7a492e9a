"""Losses: stability at the extremes, agreement with scikit-learn."""

import numpy as np
import pytest
from sklearn.metrics import log_loss as sk_log_loss

from skmlp._losses import (
    l2_penalty,
    log_loss_from_logits,
    log_softmax,
    softmax,
    softmax_log_loss_grad,
)


def test_log_loss_is_finite_where_a_probability_rounds_to_zero():
    Y = np.eye(2)
    Z = np.array([[-800.0, 800.0], [0.0, 0.0]])  # softmax gives exactly 0 for the true class
    value = log_loss_from_logits(Z, Y)
    assert np.isfinite(value)
    assert value > 300


def test_log_loss_equals_sklearn(rng):
    Z = rng.normal(size=(20, 3))
    y = rng.randint(0, 3, 20)
    w = rng.uniform(size=20)
    Y = np.eye(3)[y]
    expected = sk_log_loss(y, softmax(Z), sample_weight=w, labels=[0, 1, 2])
    assert log_loss_from_logits(Z, Y, w) == pytest.approx(expected)


def test_log_loss_from_extreme_logits_is_exact_and_finite():
    Z = np.array([[-1e4, 1e4]])
    assert log_loss_from_logits(Z, np.array([[1.0, 0.0]])) == pytest.approx(2e4)
    assert log_loss_from_logits(Z, np.array([[0.0, 1.0]])) == 0.0


def test_log_softmax_is_finite_where_probability_underflows():
    Z = np.array([[0.0, 2000.0]])
    out = log_softmax(Z)
    np.testing.assert_allclose(out, [[-2000.0, 0.0]])


def test_softmax_writes_in_place():
    Z = np.array([[1.0, 2.0, 3.0]])
    out = softmax(Z, out=Z)
    assert out is Z
    np.testing.assert_allclose(Z.sum(), 1.0)


def test_fused_gradient_is_derivative_of_loss(rng):
    Z, Y, eps = rng.normal(size=(5, 3)), np.eye(3)[rng.randint(0, 3, 5)], 1e-6
    w = rng.uniform(size=5)
    grad = softmax_log_loss_grad(softmax(Z), Y, w)
    numeric = np.zeros_like(Z)
    for i, j in np.ndindex(*Z.shape):
        E = np.zeros_like(Z)
        E[i, j] = eps
        numeric[i, j] = (log_loss_from_logits(Z + E, Y, w) - log_loss_from_logits(Z - E, Y, w)) / (
            2 * eps
        )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_unit_weights_equal_no_weights(rng):
    P, Y = softmax(rng.normal(size=(4, 3))), np.eye(3)[[0, 1, 2, 0]]
    np.testing.assert_allclose(softmax_log_loss_grad(P, Y), softmax_log_loss_grad(P, Y, np.ones(4)))


def test_l2_penalty():
    assert l2_penalty([np.ones((2, 2)), np.full(3, 2.0)], alpha=0.5, sw_sum=4) == pytest.approx(
        0.5 * 0.5 * (4 + 12) / 4
    )

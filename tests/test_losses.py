"""Losses: stability at the extremes, agreement with scikit-learn."""

import numpy as np
import pytest
from sklearn.metrics import log_loss as sk_log_loss

from skmlp._losses import (
    binary_log_loss_from_logits,
    half_squared_error,
    l2_penalty,
    log_loss_from_logits,
    log_sigmoid,
    log_softmax,
    poisson_loss_from_logits,
    residual_grad,
    row_max,
    sigmoid,
    softmax,
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
    grad = residual_grad(softmax(Z), Y, w)
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
    np.testing.assert_allclose(residual_grad(P, Y), residual_grad(P, Y, np.ones(4)))


def test_l2_penalty():
    assert l2_penalty([np.ones((2, 2)), np.full(3, 2.0)], alpha=0.5, sw_sum=4) == pytest.approx(
        0.5 * 0.5 * (4 + 12) / 4
    )


def _numeric_grad(loss, Z, eps=1e-6):
    numeric = np.zeros_like(Z)
    for index in np.ndindex(*Z.shape):
        E = np.zeros_like(Z)
        E[index] = eps
        numeric[index] = (loss(Z + E) - loss(Z - E)) / (2 * eps)
    return numeric


@pytest.mark.parametrize(
    ("loss", "predict", "targets"),
    [
        (binary_log_loss_from_logits, sigmoid, lambda rng: rng.randint(0, 2, (6, 3))),
        (half_squared_error, lambda Z: Z.copy(), lambda rng: rng.normal(size=(6, 3))),
        (poisson_loss_from_logits, np.exp, lambda rng: rng.poisson(2.0, (6, 3))),
    ],
    ids=["binary_log_loss", "squared_error", "poisson"],
)
def test_canonical_losses_have_the_residual_as_gradient(loss, predict, targets, rng):
    Z, w = rng.normal(size=(6, 3)), rng.uniform(0.5, 2.0, size=6)
    Y = targets(rng).astype(float)
    expected = _numeric_grad(lambda A: loss(A, Y, w), Z)
    np.testing.assert_allclose(residual_grad(predict(Z), Y, w), expected, rtol=1e-6, atol=1e-9)


def test_losses_equal_sklearns_mlp_losses(rng):
    sk_base = pytest.importorskip("sklearn.neural_network._base")
    if not hasattr(sk_base, "poisson_loss"):
        pytest.skip("scikit-learn < 1.7 has no Poisson loss in its MLP")
    binary_log_loss, poisson_loss = sk_base.binary_log_loss, sk_base.poisson_loss
    squared_loss = sk_base.squared_loss

    Z, w = rng.normal(size=(8, 1)), rng.uniform(size=8)
    labels = rng.randint(0, 2, (8, 1)).astype(float)
    counts = rng.poisson(3.0, (8, 1)).astype(float)
    values = rng.normal(size=(8, 1))
    assert binary_log_loss_from_logits(Z, labels, w) == pytest.approx(
        binary_log_loss(labels, sigmoid(Z), w)
    )
    assert poisson_loss_from_logits(Z, counts, w) == pytest.approx(
        poisson_loss(counts, np.exp(Z), w)
    )
    # one output: scikit-learn's mean over outputs is the sum
    assert half_squared_error(Z, values, w) == pytest.approx(squared_loss(values, Z, w))


def test_squared_error_sums_over_outputs():
    Z, Y = np.array([[1.0, 2.0]]), np.zeros((1, 2))
    assert half_squared_error(Z, Y) == pytest.approx(0.5 * (1 + 4))


def test_binary_log_loss_is_exact_and_finite_at_saturated_logits():
    Z = np.array([[-800.0], [800.0], [1e4]])
    Y = np.array([[1.0], [0.0], [1.0]])
    value = binary_log_loss_from_logits(Z, Y)
    assert np.isfinite(value)
    assert value == pytest.approx((800 + 800 + 0) / 3)


def test_poisson_loss_is_zero_at_the_truth_and_finite_for_zero_counts():
    Y = np.array([[0.0], [3.0]])
    Z = np.log(np.array([[1e-300], [3.0]]))
    assert poisson_loss_from_logits(Z, Y) == pytest.approx(0.0, abs=1e-12)


def test_log_sigmoid_is_accurate_where_the_probability_saturates():
    Z = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    np.testing.assert_allclose(
        log_sigmoid(Z), [-800.0, -40.0, np.log(0.5), -np.exp(-40.0), 0.0], rtol=1e-12
    )


@pytest.mark.parametrize("shape", [(5, 3), (300, 10), (300, 100), (1000, 1)])
def test_row_max_equals_numpys_for_short_and_long_rows(shape, rng):
    Z = rng.normal(size=shape)
    Z[1, 0] = np.nan
    out = np.empty((shape[0], 1))
    np.testing.assert_array_equal(row_max(Z, out), Z.max(axis=1, keepdims=True))


def test_softmax_of_many_rows_equals_the_textbook_formula(rng):
    Z = 30 * rng.normal(size=(2000, 10))
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(softmax(Z), E / E.sum(axis=1, keepdims=True), rtol=1e-13)

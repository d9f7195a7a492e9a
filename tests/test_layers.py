"""Layers: shapes, dtypes, stability, and backward against finite differences."""

import numpy as np
import pytest

from skmlp import check_gradients
from skmlp.layers import (
    ExpOutput,
    Identity,
    IdentityOutput,
    Layer,
    Linear,
    Logistic,
    LogisticOutput,
    ReLU,
    SoftmaxOutput,
    Tanh,
)

ELEMENTWISE = [Logistic, Tanh, ReLU, Identity]


@pytest.mark.parametrize("layer_cls", ELEMENTWISE)
def test_elementwise_backward_matches_finite_differences(layer_cls, rng):
    X = rng.normal(size=(4, 3))
    X[np.abs(X) < 1e-3] = 0.5  # keep ReLU away from its kink
    g, eps = rng.normal(size=(4, 3)), 1e-6
    layer = layer_cls()
    layer.forward(X)
    numeric = (layer.forward(X + eps, training=False) - layer.forward(X - eps, training=False)) / (
        2 * eps
    )
    np.testing.assert_allclose(layer.backward(g.copy()), g * numeric, rtol=1e-5, atol=1e-8)


def test_linear_forward_backward(rng):
    layer = Linear(3)
    assert layer.build(4, rng, np.float64) == 3
    X, G = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    W, b = layer.params["coef"], layer.params["intercept"]
    np.testing.assert_allclose(layer.forward(X), X @ W + b)
    grad_in = layer.backward(G)
    np.testing.assert_allclose(layer.grads["coef"], X.T @ G)
    np.testing.assert_allclose(layer.grads["intercept"], G.sum(axis=0))
    np.testing.assert_allclose(grad_in, G @ W.T)


def test_linear_skips_input_gradient_when_not_needed(rng):
    layer = Linear(2)
    layer.build(3, rng, np.float64)
    layer.needs_input_grad = False
    layer.forward(rng.normal(size=(4, 3)))
    assert layer.backward(rng.normal(size=(4, 2))) is None
    assert np.any(layer.grads["coef"] != 0)


def test_backward_never_changes_params(rng):
    layer = Linear(2)
    layer.build(3, rng, np.float64)
    before = {k: v.copy() for k, v in layer.params.items()}
    layer.forward(rng.normal(size=(4, 3)))
    layer.backward(rng.normal(size=(4, 2)))
    for key, value in before.items():
        np.testing.assert_array_equal(layer.params[key], value)


def test_linear_glorot_bound_and_tutorial_normal_init(rng):
    glorot = Linear(30, gain=1.0)
    glorot.build(70, rng, np.float64)
    bound = np.sqrt(6.0 / 100)
    assert np.abs(glorot.params["coef"]).max() <= bound
    assert np.abs(glorot.params["coef"]).max() > 0.9 * bound
    normal = Linear(30, init="normal")
    normal.build(70, rng, np.float64)
    assert np.all(normal.params["intercept"] == 0)
    assert 0.08 < normal.params["coef"].std() < 0.12


def test_linear_rejects_bad_init_and_width(rng):
    with pytest.raises(ValueError, match="init"):
        Linear(2, init="zeros").build(3, rng, np.float64)
    with pytest.raises(ValueError, match="n_out"):
        Linear().build(3, rng, np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layer_cls", [*ELEMENTWISE, SoftmaxOutput])
def test_layers_keep_dtype(layer_cls, dtype, rng):
    X = rng.normal(size=(6, 4)).astype(dtype)
    layer = layer_cls()
    layer.build(4, rng, dtype)
    out = layer.forward(X)
    assert out.dtype == dtype
    assert layer.backward(np.ones_like(out)).dtype == dtype


def test_linear_keeps_float32(rng):
    layer = Linear(3)
    layer.build(4, rng, np.float32)
    X = rng.normal(size=(5, 4)).astype(np.float32)
    assert layer.params["coef"].dtype == np.float32
    assert layer.forward(X).dtype == np.float32
    assert layer.backward(np.ones((5, 3), np.float32)).dtype == np.float32


def test_logistic_does_not_overflow_at_large_magnitudes():
    X = np.array([[-1e4, 1e4, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = Logistic().forward(X, training=False)
    # below the smallest normal number, as the exact value is
    np.testing.assert_allclose(out, [[0.0, 1.0, 0.5]], atol=np.finfo(np.float64).tiny)


def test_softmax_is_stable_and_normalised():
    Z = np.array([[1000.0, 1000.0, -1000.0], [-1e4, 0.0, 1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        P = SoftmaxOutput().forward(Z, training=False)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(P[0], [0.5, 0.5, 0.0], atol=1e-300)


def test_softmax_backward_is_its_jacobian(rng):
    Z, g, eps = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), 1e-6
    layer = SoftmaxOutput()
    layer.forward(Z)
    analytic = layer.backward(g)
    numeric = np.zeros_like(Z)
    for i, j in np.ndindex(*Z.shape):
        E = np.zeros_like(Z)
        E[i, j] = eps
        diff = layer.forward(Z + E, training=False) - layer.forward(Z - E, training=False)
        numeric[i, j] = np.sum(g * diff) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-9)


def test_softmax_fused_loss_gradient(rng):
    Z = rng.normal(size=(4, 3))
    Y = np.eye(3)[[0, 2, 1, 1]]
    w = np.array([1.0, 2.0, 0.5, 0.0])
    layer = SoftmaxOutput()
    P = layer.forward(Z).copy()
    loss, grad = layer.loss_gradient(Y, w)
    np.testing.assert_allclose(grad, (P - Y) * (w / w.sum())[:, None])
    expected = -np.sum(w * np.log(np.sum(P * Y, axis=1))) / w.sum()
    assert loss == pytest.approx(expected)
    scaled_loss, scaled = layer.loss_gradient(Y, w, scale=-0.5)
    assert scaled_loss == pytest.approx(expected)
    np.testing.assert_allclose(scaled, -0.5 * (P - Y) * (w / w.sum())[:, None])
    _, unweighted = layer.loss_gradient(Y, scale=3.0)
    np.testing.assert_allclose(unweighted, 3.0 * (P - Y) / 4)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("output_cls", [SoftmaxOutput, LogisticOutput, IdentityOutput, ExpOutput])
def test_loss_and_predict_is_loss_and_prediction(output_cls, weighted, dtype, rng):
    Z = (rng.normal(size=(300, 4)) * 5).astype(dtype)  # 300 rows: the column-loop row maximum
    Z[0, 0] = 700 if dtype == np.float64 else 80  # saturated rows stay exact and finite
    if output_cls is SoftmaxOutput:
        Y = np.eye(4, dtype=dtype)[rng.randint(0, 4, 300)]
    elif output_cls is ExpOutput:
        Z = np.clip(Z, -20, 20)
        Y = rng.poisson(2.0, size=(300, 4)).astype(dtype)
    else:
        Y = rng.randint(0, 2, size=(300, 4)).astype(dtype)
    w = rng.uniform(0, 2, 300).astype(dtype) if weighted else None
    layer = output_cls()
    loss, prediction = layer.loss_and_predict(Z, Y, w)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert np.isfinite(loss)
    assert loss == pytest.approx(layer.loss(Z, Y, w), rel=rtol)
    np.testing.assert_allclose(prediction, layer.forward(Z, training=False), rtol=rtol)
    assert prediction.dtype == dtype


def test_loss_and_predict_honours_a_subclass(rng):
    class Tempered(SoftmaxOutput):
        def loss(self, Z, Y, sample_weight=None):
            return 2.0 * super().loss(Z, Y, sample_weight)

    Z, Y = rng.normal(size=(5, 3)), np.eye(3)[[0, 1, 2, 0, 1]]
    loss, P = Tempered().loss_and_predict(Z, Y)
    assert loss == pytest.approx(2.0 * SoftmaxOutput().loss(Z, Y))
    np.testing.assert_allclose(P, SoftmaxOutput().forward(Z, training=False))


def test_training_forward_caches_nothing_in_prediction_mode(rng):
    layer = Logistic()
    layer.forward(rng.normal(size=(2, 2)), training=False)
    assert not hasattr(layer, "_cache_Y")


def test_base_layer_is_abstract():
    with pytest.raises(NotImplementedError):
        Layer().forward(np.ones((1, 1)))
    with pytest.raises(NotImplementedError):
        Layer().backward(np.ones((1, 1)))


def test_repr_shows_constructor_arguments():
    assert repr(Linear(20)) == "Linear(20)"
    assert repr(Linear(5, init="normal")) == "Linear(5, init='normal')"
    assert repr(ReLU()) == "ReLU()"


@pytest.mark.parametrize("make", [lambda: Linear(3), Logistic, ReLU, SoftmaxOutput])
def test_rebuilding_a_layer_drops_its_scratch_buffers(rng, make):
    layer = make()
    for n_in, dtype in [(4, np.float64), (5, np.float32)]:
        layer.build(n_in, rng, dtype)
        out = layer.forward(rng.normal(size=(6, n_in)).astype(dtype))
        if isinstance(layer, SoftmaxOutput):
            _, grad_in = layer.loss_gradient(np.eye(n_in)[np.arange(6) % n_in].astype(dtype))
        else:
            grad_in = layer.backward(np.ones_like(out))
        assert out.dtype == grad_in.dtype == dtype
        assert grad_in.shape == (6, n_in)


# The output layers that own a canonical-link loss: the layer, its function,
# and targets of the right kind.
CANONICAL_OUTPUTS = {
    "logistic": (
        LogisticOutput,
        lambda Z: 1 / (1 + np.exp(-Z)),
        lambda rng: rng.randint(0, 2, (5, 3)),
    ),
    "identity": (IdentityOutput, lambda Z: Z, lambda rng: rng.normal(size=(5, 3))),
    "exp": (ExpOutput, np.exp, lambda rng: rng.poisson(2.0, (5, 3))),
}


@pytest.mark.parametrize("name", CANONICAL_OUTPUTS)
def test_output_layers_predict_and_give_the_residual_gradient(name, rng):
    layer_cls, function, targets = CANONICAL_OUTPUTS[name]
    Z, w = rng.normal(size=(5, 3)), rng.uniform(0.5, 2.0, size=5)
    Y = targets(rng).astype(float)
    layer = layer_cls()
    P = layer.forward(Z).copy()
    np.testing.assert_allclose(P, function(Z), rtol=1e-12)
    np.testing.assert_allclose(layer.forward(Z, training=False), P)
    loss, grad = layer.loss_gradient(Y, w, scale=0.5)
    np.testing.assert_allclose(grad, 0.5 * (P - Y) * (w / w.sum())[:, None], rtol=1e-12)
    assert loss == pytest.approx(layer.loss(Z, Y, w))
    assert layer.loss_gradient(Y, w, compute_loss=False)[0] is None


@pytest.mark.parametrize("name", CANONICAL_OUTPUTS)
def test_output_layers_backward_is_their_jacobian(name, rng):
    layer_cls, function, _ = CANONICAL_OUTPUTS[name]
    Z, G = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    layer = layer_cls()
    layer.forward(Z)
    eps = 1e-6
    numeric = (function(Z + eps) - function(Z - eps)) / (2 * eps) * G
    np.testing.assert_allclose(layer.backward(G.copy()), numeric, rtol=1e-6)


@pytest.mark.parametrize("name", CANONICAL_OUTPUTS)
def test_output_layers_pass_the_gradient_check(name, rng):
    layer_cls, _, targets = CANONICAL_OUTPUTS[name]
    X, Y = rng.normal(size=(6, 4)), targets(rng)[:6].astype(float)
    Y = np.vstack([Y, Y])[:6]
    stack = [Linear(5), Tanh(), Linear(), layer_cls()]
    result = check_gradients(stack, X, Y, sample_weight=rng.uniform(0.5, 2, 6), alpha=0.1)
    assert result.passed, result


def test_regression_outputs_take_a_1d_target_in_the_gradient_check(rng):
    X, y = rng.normal(size=(6, 3)), rng.normal(size=6)
    assert check_gradients([Linear(4), ReLU(), Linear(1), IdentityOutput()], X, y).passed


@pytest.mark.parametrize("name", CANONICAL_OUTPUTS)
def test_output_losses_stay_finite_at_saturated_outputs(name):
    layer_cls, _, _ = CANONICAL_OUTPUTS[name]
    Z = np.array([[-700.0], [700.0]])  # exp(700) is finite in float64
    Y = np.array([[1.0], [0.0]])
    with np.errstate(all="raise"):
        assert np.isfinite(layer_cls().loss(Z, Y))


def test_logistic_output_log_prediction_is_finite_where_probability_rounds_off():
    Z = np.array([[-800.0], [0.0], [800.0]])
    layer = LogisticOutput()
    np.testing.assert_allclose(layer.log_predict(Z), [[-800.0], [np.log(0.5)], [0.0]])
    assert np.isfinite(layer.log_predict(-Z)).all()


def test_exp_output_log_prediction_is_the_logit():
    Z = np.array([[-800.0, 3.0]])
    np.testing.assert_allclose(ExpOutput().log_predict(Z), Z)

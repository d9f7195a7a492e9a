"""Network: order, flat parameter views, gradient alignment, chunked prediction."""

import pickle

import numpy as np
import pytest

from skmlp import Network
from skmlp._network import make_layers
from skmlp.layers import Layer, Linear, Logistic, SoftmaxOutput


def _network(rng, dtype=np.float64):
    return Network(make_layers([4, 3], "logistic", 2)).build(5, rng, dtype)


def test_params_are_views_of_one_flat_array(rng):
    net = _network(rng)
    shapes = [p.shape for p in net.params()]
    assert shapes == [(5, 4), (4,), (4, 3), (3,), (3, 2), (2,)]
    assert net.flat_params.size == sum(int(np.prod(s)) for s in shapes)
    net.flat_params[...] = 7.0
    assert all(np.all(p == 7.0) for p in net.params())
    assert all(np.shares_memory(g, net.flat_grads) for g in net.grads())


def test_forward_runs_layers_in_order(rng):
    net = _network(rng)
    X = rng.normal(size=(6, 5))
    out = X
    for layer in net.layers:
        out = layer.forward(out, training=False)
    np.testing.assert_allclose(net.forward(X, training=False), out)
    np.testing.assert_allclose(net.forward(X), out)


def test_flat_gradient_matches_per_layer_gradients(rng):
    net = _network(rng)
    X, Y = rng.normal(size=(6, 5)), np.eye(2)[rng.randint(0, 2, 6)]
    net.loss_and_grad(X, Y)
    assert np.any(net.flat_grads != 0)
    np.testing.assert_array_equal(np.concatenate([g.ravel() for g in net.grads()]), net.flat_grads)


def test_first_layer_does_not_compute_an_input_gradient(rng):
    net = _network(rng)
    assert not net.layers[0].needs_input_grad
    assert all(layer.needs_input_grad for layer in net.layers[1:])


def test_l2_penalty_adds_to_coef_gradients_only(rng):
    X, Y = rng.normal(size=(6, 5)), np.eye(2)[rng.randint(0, 2, 6)]
    plain, penalised = _network(np.random.RandomState(1)), _network(np.random.RandomState(1))
    loss0 = plain.loss_and_grad(X, Y)
    loss1 = penalised.loss_and_grad(X, Y, alpha=0.3)
    coefs = plain.coefs()
    assert loss1 == pytest.approx(loss0 + 0.15 * sum(np.sum(W * W) for W in coefs) / 6)
    for layer0, layer1 in zip(plain.layers, penalised.layers):
        for key in layer0.grads:
            extra = 0.3 / 6 * layer0.params[key] if key == "coef" else 0.0
            np.testing.assert_allclose(layer1.grads[key], layer0.grads[key] + extra)


@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_grad_scale_multiplies_every_gradient_not_the_loss(rng, alpha):
    X, Y = rng.normal(size=(6, 5)), np.eye(2)[rng.randint(0, 2, 6)]
    w = rng.uniform(0.5, 2.0, 6)
    plain, scaled = _network(np.random.RandomState(1)), _network(np.random.RandomState(1))
    loss0 = plain.loss_and_grad(X, Y, w, alpha=alpha)
    loss1 = scaled.loss_and_grad(X, Y, w, alpha=alpha, grad_scale=0.05)
    assert loss1 == pytest.approx(loss0)
    np.testing.assert_allclose(scaled.flat_grads, 0.05 * plain.flat_grads, rtol=1e-12)


def test_custom_layer_that_rebinds_its_gradient_is_synced(rng):
    class Scale(Layer):
        def build(self, n_in, rng, dtype):
            self.params = {"s": np.ones(n_in, dtype=dtype)}
            self.grads = {"s": np.zeros(n_in, dtype=dtype)}
            return n_in

        def forward(self, X, *, training=True):
            self._X = X
            return X * self.params["s"]

        def backward(self, grad_out):
            self.grads["s"] = (grad_out * self._X).sum(axis=0)  # a new array
            return grad_out * self.params["s"]

    net = Network([Linear(3), Scale(), Linear(2), SoftmaxOutput()]).build(4, rng, np.float64)
    net.loss_and_grad(rng.normal(size=(5, 4)), np.eye(2)[[0, 1, 0, 1, 1]])
    scale = net.layers[1]
    assert np.shares_memory(scale.grads["s"], net.flat_grads)
    assert np.any(scale.grads["s"] != 0)


def test_network_requires_an_output_layer():
    with pytest.raises(ValueError, match="OutputLayer"):
        Network([Linear(2), Logistic()])


def test_logits_in_chunks_equal_one_pass(rng, monkeypatch):
    net = _network(rng)
    X = rng.normal(size=(50, 5))
    whole = net.logits(X)
    monkeypatch.setattr("skmlp._network._CHUNK_BYTES", 8 * 5 * 7)  # 7-row chunks
    np.testing.assert_allclose(net.logits(X), whole)


def test_pickle_keeps_parameters_as_views(rng):
    net = pickle.loads(pickle.dumps(_network(rng)))
    net.flat_params[...] = 1.0
    assert all(np.all(p == 1.0) for p in net.params())


def test_float32_network(rng):
    net = _network(rng, np.float32)
    assert net.flat_params.dtype == np.float32
    X = rng.normal(size=(3, 5)).astype(np.float32)
    assert net.logits(X).dtype == np.float32

"""Network: order, flat parameter views, gradient alignment, chunked prediction."""

import copy
import pickle

import numpy as np
import pytest

from skmlp import Network, check_gradients
from skmlp import _network as network_module
from skmlp._network import make_layers, resolve_stack
from skmlp.layers import Identity, Layer, Linear, Logistic, ReLU, SoftmaxOutput, Tanh


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


# --- the layer protocol, checked ---------------------------------------------------


class _Rows(Identity):
    """Returns too few rows in training mode."""

    def forward(self, X, *, training=True):
        return X[:-1] if training else X


class _AsList(Identity):
    def forward(self, X, *, training=True):
        return X.tolist()


class _BadGradient(Identity):
    def backward(self, grad_out):
        return grad_out[:, :1]  # broadcastable, but the wrong shape


class _NoWidth(Identity):
    def build(self, n_in, rng, dtype):
        self.n_in = n_in  # forgets to return the width


class _Wider(Identity):
    def forward(self, X, *, training=True):
        return np.hstack([X, X])


def _fit_one_batch(stack, n_in=4):
    rng = np.random.RandomState(0)
    net = Network(stack).build(n_in, rng, np.float64)
    X, Y = rng.normal(size=(6, n_in)), np.eye(2)[[0, 1, 0, 1, 0, 1]]
    return net.loss_and_grad(X, Y)


@pytest.mark.parametrize(
    ("layer", "error", "match"),
    [
        (_Rows(), ValueError, r"layer 1 \(_Rows\(\)\): forward returned shape \(5, 3\)"),
        (_AsList(), TypeError, r"layer 1 \(_AsList\(\)\): forward returned list"),
        (_BadGradient(), ValueError, r"layer 1 \(_BadGradient\(\)\): backward returned shape"),
        (_NoWidth(), ValueError, r"layer 1 \(_NoWidth\(\)\): build returned None"),
        (_Wider(), ValueError, r"expected \(6, 3\)"),
    ],
)
def test_layer_mistakes_name_the_layer(layer, error, match):
    with pytest.raises(error, match=match):
        _fit_one_batch([Linear(3), layer, Linear(2), SoftmaxOutput()])


def test_the_check_runs_once_then_the_hot_path():
    rng = np.random.RandomState(0)
    net = Network([Linear(3), Tanh(), Linear(2), SoftmaxOutput()]).build(4, rng, np.float64)
    X, Y = rng.normal(size=(6, 4)), np.eye(2)[[0, 1, 0, 1, 0, 1]]
    first = net.loss_and_grad(X, Y)
    grads = net.flat_grads.copy()
    assert not net._unchecked
    assert net.loss_and_grad(X, Y) == first
    np.testing.assert_array_equal(net.flat_grads, grads)  # same numbers on both paths


def test_parameters_must_be_finite_in_the_dtype():
    class Huge(Linear):
        def build(self, n_in, rng, dtype):
            width = super().build(n_in, rng, np.float64)
            self.params["coef"] = np.full((n_in, width), 1e39)
            return width

    with pytest.raises(ValueError, match=r"layer 0 \(Huge\(3\)\): parameter 'coef'.*float32"):
        Network([Huge(3), Linear(2), SoftmaxOutput()]).build(4, np.random.RandomState(0), "f4")


@pytest.mark.parametrize("n_out", [2.5, 0, -1, True, "3"])
def test_linear_n_out_must_be_a_positive_integer(n_out):
    with pytest.raises(ValueError, match="positive integer"):
        Linear(n_out)


def test_resolve_stack_copies_each_place_and_refuses_shared_weights():
    act = Tanh()
    stack = [Linear(4), act, Linear(4), act, Linear(), SoftmaxOutput()]
    resolved = resolve_stack(stack, n_outputs=3)
    assert resolved[1] is not resolved[3]
    assert resolved[4].n_out == 3
    assert stack[4].n_out is None  # the caller's objects are untouched
    lin = Linear(4)
    with pytest.raises(ValueError, match="positions 0 and 2: weight sharing"):
        resolve_stack([lin, Tanh(), lin, SoftmaxOutput()], n_outputs=3)


@pytest.mark.parametrize(
    ("layers", "error", "match"),
    [
        ([Linear(3), "relu", SoftmaxOutput()], TypeError, r"layer 1 \('relu'\)"),
        ([Linear(3), Tanh()], ValueError, "must end with an OutputLayer"),
        ([SoftmaxOutput(), Linear(3), SoftmaxOutput()], ValueError, "only the last"),
        ("Linear", TypeError, "list of Layer"),
    ],
)
def test_resolve_stack_refuses_malformed_stacks(layers, error, match):
    with pytest.raises(error, match=match):
        resolve_stack(layers, n_outputs=2)


@pytest.mark.parametrize("sizes", [(20, 0), (2.5,), [-1], (True,)])
def test_resolve_stack_refuses_bad_hidden_layer_sizes(sizes):
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        resolve_stack(None, hidden_layer_sizes=sizes, n_outputs=2)


def test_predict_refuses_non_finite_outputs():
    rng = np.random.RandomState(0)
    net = Network([Linear(3), ReLU(), Linear(2), SoftmaxOutput()]).build(4, rng, np.float64)
    X = rng.normal(size=(5, 4))
    np.testing.assert_allclose(net.predict(X).sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(net.predict_log(X)), net.predict(X))
    with pytest.raises(ValueError, match="overflows the network"):
        net.predict(np.full((2, 4), 1e308))


class _WrongDtype(Identity):
    def forward(self, X, *, training=True):
        return X.astype(np.float32)


class _GradientList(Identity):
    def backward(self, grad_out):
        return grad_out.tolist()


class _RebindsWrongGradient(Layer):
    """Assigns a broadcastable gradient of the wrong shape on every minibatch."""

    def build(self, n_in, rng, dtype):
        self.params = {"s": np.ones(n_in, dtype=dtype)}
        self.grads = {"s": np.zeros(n_in, dtype=dtype)}
        return n_in

    def forward(self, X, *, training=True):
        return X * self.params["s"]

    def backward(self, grad_out):
        self.grads["s"] = np.ones(1)
        return grad_out * self.params["s"]


@pytest.mark.parametrize(
    ("layer", "error", "match"),
    [
        (_WrongDtype(), ValueError, r"layer 1 \(_WrongDtype\(\)\): forward returned dtype float32"),
        (_GradientList(), TypeError, r"layer 1 \(_GradientList\(\)\): backward returned list"),
        (_RebindsWrongGradient(), ValueError, r"layer 1 .*grads\['s'\].*\(3,\)"),
    ],
)
def test_more_layer_mistakes_name_the_layer(layer, error, match):
    with pytest.raises(error, match=match):
        _fit_one_batch([Linear(3), layer, Linear(2), SoftmaxOutput()])


def test_a_wrong_gradient_shape_is_refused_after_the_first_minibatch_too():
    rng = np.random.RandomState(0)
    layer = _RebindsWrongGradient()
    net = Network([Linear(3), layer, Linear(2), SoftmaxOutput()]).build(4, rng, np.float64)
    net._unchecked = False  # as after a first minibatch that passed
    X, Y = rng.normal(size=(6, 4)), np.eye(2)[[0, 1, 0, 1, 0, 1]]
    with pytest.raises(ValueError, match="grads"):
        net.loss_and_grad(X, Y)


@pytest.mark.parametrize("width", [2.5, "3", 0, True])
def test_build_must_return_a_positive_integer(width):
    class Odd(Identity):
        def build(self, n_in, rng, dtype):
            return width

    with pytest.raises(ValueError, match=r"layer 1 \(Odd\(\)\): build returned"):
        Network([Linear(3), Odd(), Linear(2), SoftmaxOutput()]).build(
            4, np.random.RandomState(0), np.float64
        )


def test_prediction_mode_outputs_are_checked_on_every_call():
    class Short(Identity):
        def forward(self, X, *, training=True):
            return X if training else X[:, :1]

    rng = np.random.RandomState(0)
    net = Network([Linear(3), Short(), Linear(2), SoftmaxOutput()]).build(4, rng, np.float64)
    X = rng.normal(size=(5, 4))
    for _ in range(2):
        with pytest.raises(ValueError, match=r"layer 1 \(Short\(\)\): forward returned shape"):
            net.logits(X)


def test_reused_activation_object_trains_with_correct_gradients():
    act = Tanh()
    stack = resolve_stack([Linear(5), act, Linear(4), act, Linear(), SoftmaxOutput()], n_outputs=3)
    rng = np.random.RandomState(0)
    net = Network(stack).build(3, rng, np.float64)
    X, Y = rng.normal(size=(8, 3)), np.eye(3)[rng.randint(0, 3, 8)]
    net.loss_and_grad(X, Y)
    reference = Network(make_layers([5, 4], "tanh", 3)).build(3, rng, np.float64)
    reference.flat_params[...] = net.flat_params
    reference.loss_and_grad(X, Y)
    np.testing.assert_allclose(net.flat_grads, reference.flat_grads)


def test_a_parametrised_custom_layer_placed_twice_is_refused():
    class Scale(Layer):
        def build(self, n_in, rng, dtype):
            self.params = {"s": np.ones(n_in, dtype=dtype)}
            self.grads = {"s": np.zeros(n_in, dtype=dtype)}
            return n_in

    scale = Scale()
    with pytest.raises(ValueError, match="positions 1 and 3: weight sharing"):
        resolve_stack([Linear(3), scale, Linear(3), scale, SoftmaxOutput()], n_outputs=2)


def test_resolve_stack_default_and_caller_objects_untouched():
    stack = resolve_stack(None, hidden_layer_sizes=(4,), activation="relu", n_outputs=3)
    assert [type(layer).__name__ for layer in stack] == [
        "Linear",
        "ReLU",
        "Linear",
        "SoftmaxOutput",
    ]
    assert stack[2].n_out == 3
    built = Network([Linear(3), Linear(2), SoftmaxOutput()]).build(
        2, np.random.RandomState(0), np.float64
    )
    copies = resolve_stack(built.layers, n_outputs=2)
    assert all(a is not b for a, b in zip(copies, built.layers))


def test_in_place_layers_are_declared_not_inferred(rng):
    class Custom(Identity):
        pass

    net = Network(
        [Linear(3), Tanh(), Tanh(), Linear(3), Custom(), Linear(2), SoftmaxOutput()]
    ).build(4, rng, np.float64)
    assert [layer.overwrite_input for layer in net.layers] == [
        False,
        True,  # Tanh on Linear's scratch output
        False,  # Tanh on Tanh: that output is read by the first Tanh's backward
        False,
        False,  # a custom layer does not declare can_overwrite_input
        False,
        False,
    ]


class _Keeps(Identity):
    def __init__(self):
        super().__init__()
        self._cache_setting = 3  # no private naming convention applies


def test_custom_layers_keep_their_attributes_through_clear_and_pickle(rng):
    net = Network([Linear(3), _Keeps(), Linear(2), SoftmaxOutput()]).build(4, rng, np.float64)
    net.clear()
    assert net.layers[1]._cache_setting == 3
    assert pickle.loads(pickle.dumps(net)).layers[1]._cache_setting == 3


def test_scratch_machinery_is_not_part_of_the_public_base_class():
    for name in ["_buffer", "_scratch", "_make_scratch", "_ones", "_buffers", "_dtype"]:
        assert not hasattr(Layer(), name)


def test_predict_predict_log_and_loss_agree(rng):
    from skmlp._losses import log_loss_from_logits, softmax

    net = _network(rng)
    X, Y = rng.normal(size=(7, 5)), np.eye(2)[rng.randint(0, 2, 7)]
    Z = net.logits(X)
    np.testing.assert_allclose(net.predict(X), softmax(Z))
    np.testing.assert_allclose(net.predict_log(X), np.log(softmax(Z)))
    w = rng.uniform(0.5, 2.0, 7)
    assert net.loss(X, Y, w) == pytest.approx(log_loss_from_logits(Z, Y, w))


def test_predict_does_not_write_to_the_input():
    net = Network([SoftmaxOutput()]).build(3, np.random.RandomState(0), np.float64)
    X = np.array([[1.0, 2.0, 3.0]])
    net.predict(X)
    np.testing.assert_array_equal(X, [[1.0, 2.0, 3.0]])


@pytest.mark.parametrize("method", ["predict", "predict_log", "loss"])
def test_overflowing_input_is_an_error_naming_the_layer(method):
    rng = np.random.RandomState(0)
    net = Network([Linear(3), ReLU(), Linear(2), SoftmaxOutput()]).build(4, rng, np.float64)
    X = np.full((2, 4), 1e308)
    args = (X, np.eye(2)) if method == "loss" else (X,)
    with pytest.raises(ValueError, match=r"overflows the network \(layer \d \(Linear\("):
        getattr(net, method)(*args)


def test_default_log_predict_is_the_log_of_the_prediction():
    from skmlp.layers import OutputLayer

    class Halves(OutputLayer):
        def forward(self, X, *, training=True):
            return np.full_like(X, 0.5)

    Z = np.zeros((2, 2))
    np.testing.assert_allclose(Halves().log_predict(Z), np.log(0.5))
    extreme = SoftmaxOutput().log_predict(np.array([[0.0, 2000.0]]))
    np.testing.assert_allclose(extreme, [[-2000.0, 0.0]])


def test_linear_n_out_is_checked_again_at_build(rng):
    layer = Linear(3)
    layer.n_out = 2.5
    with pytest.raises(ValueError, match=r"positive integer.*2\.5"):
        layer.build(4, rng, np.float64)


class _UnfoldedLogistic(Logistic):
    """A Logistic whose forward is its own: the network folds no bias around it."""

    def forward(self, X, *, training=True):
        return super().forward(X, training=training)


@pytest.mark.parametrize("row_major_from", [1, 2**62], ids=["row-major", "column-major"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_folded_biases_train_the_same_model_as_unfolded_ones(
    dtype, row_major_from, rng, monkeypatch
):
    # both memory orders of the padded buffer (small nets use column-major)
    monkeypatch.setattr(network_module, "_ROW_MAJOR_FROM", row_major_from)
    X, y = rng.normal(size=(60, 5)).astype(dtype), rng.randint(0, 3, 60)
    Y = np.eye(3, dtype=dtype)[y]

    def trained(activation):
        net = Network([Linear(7), activation, Linear(6), ReLU(), Linear(3), SoftmaxOutput()])
        net.build(5, np.random.RandomState(0), dtype)
        for start in (0, 25, 50, 0):  # full and short minibatches, as an epoch has
            net.loss_and_grad(X[start : start + 25], Y[start : start + 25], grad_scale=0.1)
            net.flat_params -= net.flat_grads
        return net

    folded, unfolded = trained(Logistic()), trained(_UnfoldedLogistic())
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(folded.flat_params, unfolded.flat_params, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(folded.predict(X), unfolded.predict(X), rtol=rtol, atol=rtol)


def test_padded_buffers_are_row_major_only_for_large_products(rng):
    net = Network([Linear(512), ReLU(), Linear(20), Tanh(), Linear(3), SoftmaxOutput()])
    net.build(200, rng, np.float64)
    X, Y = rng.normal(size=(16, 200)), np.eye(3)[rng.randint(0, 3, 16)]
    net.loss_and_grad(X, Y)
    large, small = net.layers[0]._cache_padded, net.layers[2]._cache_padded
    assert large.shape == (16, 513)  # after 200 * 512 weights
    assert large.flags.c_contiguous
    assert small.shape == (16, 21)  # after 512 * 20 weights
    assert small.flags.f_contiguous
    # each activation's gradient comes back in its output's order
    assert net.layers[2]._scratch(16)[1].flags.c_contiguous
    assert net.layers[4]._scratch(16)[1].flags.f_contiguous


def test_folded_stacks_pass_the_gradient_check(rng):
    X, y = rng.normal(size=(8, 4)), rng.randint(0, 3, 8)
    stack = [Linear(6), Logistic(), Linear(5), Tanh(), Linear(), SoftmaxOutput()]
    assert check_gradients(stack, X, y, sample_weight=rng.uniform(0.5, 2, 8), alpha=0.1).passed


def test_folding_survives_copies_and_pickling(rng):
    X, y = rng.normal(size=(30, 4)), rng.randint(0, 2, 30)
    Y = np.eye(2)[y]
    net = Network([Linear(6), ReLU(), Linear(2), SoftmaxOutput()]).build(4, rng, np.float64)
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert clone.loss_and_grad(X, Y) == pytest.approx(net.loss_and_grad(X, Y), rel=1e-12)
        np.testing.assert_allclose(clone.flat_grads, net.flat_grads, rtol=1e-12)
        clone.flat_params += 1.0  # the copy's views are its own
        assert not np.allclose(clone.flat_params, net.flat_params)

"""check_gradients passes on every built-in layer and catches a wrong backward."""

import numpy as np
import pytest

from skmlp import GradientCheckResult, Network, check_gradients
from skmlp.layers import Identity, Layer, Linear, Logistic, ReLU, SoftmaxOutput, Tanh


@pytest.fixture
def data(rng):
    return rng.normal(size=(7, 4)), np.array([0, 1, 2, 0, 1, 2, 2])


@pytest.mark.parametrize("activation", [Logistic, Tanh, ReLU, Identity])
def test_builtin_layers_pass(activation, data):
    X, y = data
    stack = [Linear(5), activation(), Linear(4), activation(), Linear(), SoftmaxOutput()]
    result = check_gradients(stack, X, y, sample_weight=np.arange(1.0, 8.0), alpha=0.1)
    assert isinstance(result, GradientCheckResult)
    assert result.passed, result.errors
    assert result.n_checked == sum(
        a * b for a, b in [(4, 5), (1, 5), (5, 4), (1, 4), (4, 3), (1, 3)]
    )


class WrongTanh(Layer):
    """Tanh whose backward forgets the square: 1 - y instead of 1 - y**2."""

    def forward(self, X, *, training=True):
        Y = np.tanh(X)
        if training:
            self._Y = Y
        return Y

    def backward(self, grad_out):
        return grad_out * (1.0 - self._Y)


def test_wrong_backward_fails(data):
    X, y = data
    result = check_gradients([Linear(5), WrongTanh(), Linear(), SoftmaxOutput()], X, y)
    assert not result.passed
    assert not result
    assert result.max_relative_error > 1e-2
    # the error is found in the layers below the broken activation
    first_coef = result.errors[0]
    assert first_coef[2] == "coef"
    assert first_coef[3] > 1e-2


def test_input_stack_is_not_modified(data):
    X, y = data
    stack = [Linear(3), ReLU(), Linear(), SoftmaxOutput()]
    check_gradients(stack, X, y)
    assert stack[0].params == {}
    assert stack[2].n_out is None


def test_built_network_is_checked_at_its_weights(data, rng):
    X, y = data
    net = Network([Linear(3), Logistic(), Linear(3), SoftmaxOutput()]).build(4, rng, np.float32)
    before = net.flat_params.copy()
    result = check_gradients(net, X, np.eye(3)[y], max_checks_per_param=2)
    assert result.passed
    assert result.n_checked == 2 * 4
    np.testing.assert_array_equal(net.flat_params, before)


def test_nearly_zero_gradients_are_judged_by_absolute_error(rng):
    X = rng.uniform(size=(10, 64))
    X[:, :8] = 0  # blank inputs: their weights get an exactly-zero gradient
    y = np.arange(10)
    result = check_gradients([Linear(20), Logistic(), Linear(), SoftmaxOutput()], X, y)
    assert result.passed, result.max_relative_error


def test_a_nan_gradient_never_passes_and_is_located():
    class NanGrad(Tanh):
        def backward(self, grad_out):
            g = super().backward(grad_out)
            g[0, 1] = np.nan
            return g

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(5, 3)), [0, 1, 0, 1, 1]
    result = check_gradients([Linear(4), NanGrad(), Linear(), SoftmaxOutput()], X, y)
    assert not result.passed
    assert not result
    assert result.non_finite
    index, name, param, _, analytic, _ = result.non_finite[0]
    assert (index, name, param) == (0, "Linear", "coef")
    assert np.isnan(analytic)


def test_non_finite_X_is_an_error():
    X = np.ones((4, 3))
    X[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        check_gradients([Linear(2), Tanh(), Linear(), SoftmaxOutput()], X, [0, 1, 0, 1])


def test_string_labels():
    X = np.random.RandomState(0).normal(size=(6, 3))
    result = check_gradients([Linear(2), Tanh(), Linear(), SoftmaxOutput()], X, list("abcabc"))
    assert result.passed
    assert result.n_checked == 3 * 2 + 2 + 2 * 3 + 3


def test_a_built_stack_is_checked_at_its_weights_and_left_unchanged():
    class DoubledTanh(Tanh):  # a wrong backward, invisible when nothing flows through it
        def backward(self, grad_out):
            return 2 * super().backward(grad_out)

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(6, 3)), np.array([0, 1, 2, 0, 1, 2])
    stack = [Linear(4), DoubledTanh(), Linear(3), SoftmaxOutput()]
    assert not check_gradients(stack, X, y).passed  # at freshly drawn weights: caught
    net = Network(stack).build(3, rng, np.float64)
    net.layers[2].params["coef"][...] = 0.0  # no gradient reaches the wrong backward
    before = net.flat_params.copy()
    for built in (net, net.layers):
        assert check_gradients(built, X, y).passed  # so these weights were the ones checked
    np.testing.assert_array_equal(net.flat_params, before)


def test_custom_layer_mistakes_get_the_fit_errors():
    class Wrong(Tanh):
        def backward(self, grad_out):
            return grad_out[:, :1]

    X = np.random.RandomState(0).normal(size=(4, 3))
    with pytest.raises(ValueError, match=r"layer 1 \(Wrong\(\)\): backward returned shape"):
        check_gradients([Linear(2), Wrong(), Linear(), SoftmaxOutput()], X, [0, 1, 0, 1])


def test_a_reused_activation_object_is_checked_as_two_layers():
    act = Tanh()
    X, y = np.random.RandomState(0).normal(size=(6, 3)), [0, 1, 2, 0, 1, 2]
    result = check_gradients([Linear(4), act, Linear(4), act, Linear(), SoftmaxOutput()], X, y)
    assert result.passed, result.errors


def test_built_network_with_a_class_absent_from_the_rows(rng):
    net = Network([Linear(3), Tanh(), Linear(3), SoftmaxOutput()]).build(4, rng, np.float64)
    X = rng.normal(size=(4, 4))
    assert check_gradients(net, X, [0, 1, 0, 1]).passed  # class 2 absent: a zero column
    with pytest.raises(ValueError, match=r"4 classes.*3 outputs"):
        check_gradients(net, X, [0, 1, 2, 3])


def test_a_non_finite_numeric_gradient_never_passes():
    class Blows(Identity):
        """Finite at the checked weights, NaN once a weight moves."""

        def forward(self, X, *, training=True):
            if not training:
                return np.full_like(X, np.nan)
            return X

    X, y = np.random.RandomState(0).normal(size=(4, 3)), [0, 1, 0, 1]
    result = check_gradients([Linear(2), Blows(), Linear(), SoftmaxOutput()], X, y)
    assert not result.passed
    assert np.isinf(result.max_relative_error)
    assert result.non_finite
    assert np.isnan(result.non_finite[0][5])

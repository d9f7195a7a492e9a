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

"""Optimizers and schedules: one step against values computed by hand."""

import numpy as np
import pytest

from skmlp._optimizers import (
    SGD,
    Adam,
    AdaptiveSchedule,
    ConstantSchedule,
    InvScalingSchedule,
    make_schedule,
)

P0 = np.array([1.0, -2.0, 0.5])
G1 = np.array([0.5, 0.1, -1.0])
G2 = np.array([-0.2, 0.3, 0.4])


def _steps(optimizer, grads):
    p = P0.copy()
    for g in grads:
        # the step takes gradients times grad_scale and may use them as scratch
        optimizer.step(p, g * optimizer.grad_scale)
    return p


def test_plain_sgd():
    p = _steps(SGD(3, np.float64, learning_rate=0.1), [G1, G2])
    np.testing.assert_allclose(p, P0 - 0.1 * G1 - 0.1 * G2)


def test_momentum():
    p = _steps(SGD(3, np.float64, 0.1, momentum=0.9), [G1, G2])
    v1 = -0.1 * G1
    v2 = 0.9 * v1 - 0.1 * G2
    np.testing.assert_allclose(p, P0 + v1 + v2)


def test_nesterov():
    p = _steps(SGD(3, np.float64, 0.1, momentum=0.9, nesterov=True), [G1, G2])
    v1 = -0.1 * G1
    v2 = 0.9 * v1 - 0.1 * G2
    expected = P0 + (0.9 * v1 - 0.1 * G1) + (0.9 * v2 - 0.1 * G2)
    np.testing.assert_allclose(p, expected)


def test_adam():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    p = _steps(Adam(3, np.float64, lr, b1, b2, eps), [G1, G2])
    m = v = np.zeros(3)
    expected = P0.copy()
    for t, g in enumerate([G1, G2], start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        expected -= lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(p, expected)


def test_grad_scale():
    assert SGD(3, np.float64, 0.25).grad_scale == 0.25
    assert Adam(3, np.float64, 0.25).grad_scale == 1.0


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_follows_learning_rate_changes(nesterov):
    # schedules change learning_rate between steps; grad_scale must follow
    sgd = SGD(3, np.float64, 0.1, momentum=0.9, nesterov=nesterov)
    reference = SGD(3, np.float64, 0.1, momentum=0.9, nesterov=nesterov)
    p, q = P0.copy(), P0.copy()
    sgd.step(p, G1 * sgd.grad_scale)
    reference.step(q, G1 * 0.1)
    sgd.learning_rate = reference.learning_rate = 0.02
    sgd.step(p, G2 * sgd.grad_scale)
    reference.step(q, G2 * 0.02)
    np.testing.assert_allclose(p, q)
    v2 = 0.9 * (-0.1 * G1) - 0.02 * G2
    if not nesterov:
        np.testing.assert_allclose(p, P0 - 0.1 * G1 + v2)


def test_optimizer_keeps_float32():
    p = P0.astype(np.float32)
    Adam(3, np.float32, 0.01).step(p, G1.astype(np.float32))
    SGD(3, np.float32, 0.1, momentum=0.5).step(p, G1.astype(np.float32))
    SGD(3, np.float32, 0.1, momentum=0.5, nesterov=True).step(p, G1.astype(np.float32))
    assert p.dtype == np.float32


def test_schedules():
    assert isinstance(make_schedule("constant", 0.1), ConstantSchedule)
    inv = make_schedule("invscaling", 0.1, power_t=0.5)
    assert isinstance(inv, InvScalingSchedule)
    assert inv.epoch_end(0.1, t=99) == pytest.approx(0.01)
    assert ConstantSchedule(0.1).on_plateau(0.1) is None
    adaptive = make_schedule("adaptive", 0.1)
    assert isinstance(adaptive, AdaptiveSchedule)
    assert adaptive.on_plateau(0.1) == pytest.approx(0.02)
    assert adaptive.on_plateau(1e-6) is None


def test_optimizers_use_no_scipy_blas():
    # SciPy's BLAS keeps a thread pool of its own, which fights NumPy's
    import skmlp._optimizers as module

    assert "scipy" not in vars(module)
    assert not [name for name, value in vars(module).items() if "blas" in name.lower()]


def test_optimizers_pickle_and_keep_stepping():
    import pickle

    for optimizer in [SGD(3, np.float64, 0.1, momentum=0.9), Adam(3, np.float32, 0.01)]:
        restored = pickle.loads(pickle.dumps(optimizer))
        p = P0.astype(optimizer._m.dtype if isinstance(optimizer, Adam) else np.float64)
        restored.step(p, G1.astype(p.dtype))
        assert not np.array_equal(p, P0)


def test_make_schedule_refuses_an_unknown_name():
    with pytest.raises(ValueError, match="learning_rate must be"):
        make_schedule("cosine", 0.1)

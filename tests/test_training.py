"""The epoch loop: patience counting, best weights restored, the per-epoch record."""

import numpy as np
import pytest

from skmlp._data import one_hot
from skmlp._losses import log_loss_from_logits
from skmlp._network import Network, make_layers
from skmlp._optimizers import SGD, make_schedule
from skmlp._training import EarlyStopping, History, TrainingConfig, evaluate, train


def test_early_stopping_patience_is_exact():
    stopper = EarlyStopping(patience=3, tol=0.0, keep_best=False)
    p = np.zeros(1)
    assert not stopper.update(1.0, p, 1)
    assert not stopper.update(1.0, p, 2)  # no improvement: 1 miss
    assert not stopper.update(1.5, p, 3)  # 2 misses
    assert stopper.update(1.0, p, 4)  # 3 misses: plateau
    assert stopper.best_epoch == 1


def test_early_stopping_tol_and_best_copy():
    stopper = EarlyStopping(patience=1, tol=0.1, keep_best=True)
    p = np.array([1.0])
    stopper.update(1.0, p, 1)
    p[0] = 2.0
    assert stopper.update(0.95, p, 2)  # better, but not by tol: counts as a miss
    assert stopper.best == 0.95
    assert stopper.best_epoch == 2
    np.testing.assert_array_equal(stopper.best_params, [2.0])
    p[0] = 3.0
    assert stopper.best_params[0] == 2.0  # a copy, not a view


def test_history_frame():
    history = History()
    history.append(
        epoch=1, train_loss=1.0, val_loss=2.0, val_accuracy=0.5, learning_rate=0.1, seconds=0.01
    )
    frame = history.to_frame()
    assert list(frame.columns) == list(History.columns)
    assert frame.shape == (1, 6)


def _setup(tiny_digits, rng, **config):
    X, y = tiny_digits
    net = Network(make_layers([10], "logistic", 10)).build(64, rng, np.float64)
    optimizer = SGD(net.flat_params.size, np.float64, 0.5)
    defaults = dict(
        batch_size=25,
        max_iter=30,
        early_stopping=True,
        validation_fraction=0.25,
        n_iter_no_change=3,
        tol=0.0,
    )
    defaults.update(config)
    args = (
        net,
        optimizer,
        make_schedule("constant", 0.5),
        X,
        y,
        np.arange(len(y)),
        None,
        TrainingConfig(**defaults),
        rng,
        History(),
    )
    return net, args


def test_training_restores_the_best_epoch(tiny_digits, rng):
    net, args = _setup(tiny_digits, rng, max_iter=300, n_iter_no_change=2)
    history = args[-1]
    result, state = train(*args, n_classes=10)
    val = history.column("val_loss")
    assert result.stopped
    assert result.n_epochs < 300
    assert result.best_epoch == int(np.argmin(val)) + 1
    np.testing.assert_array_equal(net.flat_params, state.best_params)
    # the stop came n_iter_no_change epochs after the last improvement
    assert result.n_epochs - result.best_epoch == 2


def test_loss_decreases_and_history_is_complete(tiny_digits, rng):
    _, args = _setup(tiny_digits, rng, max_iter=10, early_stopping=False)
    history = args[-1]
    result, _ = train(*args, n_classes=10)
    frame = history.to_frame()
    assert len(frame) == result.n_epochs == 10
    assert frame["train_loss"].iloc[-1] < frame["train_loss"].iloc[0]
    assert frame["val_loss"].isna().all()
    assert result.t == 10 * 300
    assert len(history.batch_losses) == 10
    assert len(history.batch_losses[0]) == 12  # 300 rows in batches of 25


def test_evaluate(tiny_digits, rng):
    net, _args = _setup(tiny_digits, rng)
    X, y = tiny_digits
    loss, accuracy = evaluate(net, X[:50], y[:50])
    Z = net.logits(X[:50])
    assert loss == pytest.approx(log_loss_from_logits(Z, one_hot(y[:50], 10, X.dtype)))
    assert accuracy == np.mean(Z.argmax(axis=1) == y[:50])
    w = np.arange(50.0)
    _, weighted_accuracy = evaluate(net, X[:50], y[:50], w)
    assert weighted_accuracy == pytest.approx(np.dot(Z.argmax(axis=1) == y[:50], w) / w.sum())


def test_samples_seen_count_merged_rows(tiny_digits, rng):
    _, args = _setup(tiny_digits, rng, max_iter=2, early_stopping=False)
    counts = np.full(300, 3)
    result, _ = train(*args, n_classes=10, counts=counts)
    assert result.t == 2 * 900


def test_validation_split_failure_message(rng):
    X = rng.normal(size=(3, 2))
    y = np.array([0, 1, 2])
    net = Network(make_layers([2], "relu", 3)).build(2, rng, np.float64)
    args = (
        net,
        SGD(net.flat_params.size, np.float64, 0.1),
        make_schedule("constant", 0.1),
        X,
        y,
        np.arange(3),
        None,
        TrainingConfig(batch_size=2, max_iter=2, early_stopping=True),
        rng,
        History(),
    )
    with pytest.raises(ValueError, match="early_stopping=False"):
        train(*args, n_classes=3)

"""The epoch loop: patience, best weights restored, divergence, interrupts, the record."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skmlp._data import one_hot, training_rows
from skmlp._losses import log_loss_from_logits
from skmlp._network import Network, make_layers
from skmlp._optimizers import SGD, make_schedule
from skmlp._targets import OneHotClasses
from skmlp._training import EarlyStopping, History, TrainingConfig, evaluate, train

#: The ten digit classes, as one-hot rows: one softmax output each.
DIGITS = OneHotClasses(np.arange(10))


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
    assert stopper.update(0.95, p, 2, {"epoch": 2})  # better, but not by tol: a miss
    assert stopper.best == 0.95
    assert stopper.best_epoch == 2
    assert stopper.best_record == {"epoch": 2}
    np.testing.assert_array_equal(stopper.best_params, [2.0])
    p[0] = 3.0
    assert stopper.best_params[0] == 2.0  # a copy, not a view


def test_history_frame_and_copy():
    history = History()
    history.append(
        epoch=1, train_loss=1.0, val_loss=2.0, val_accuracy=0.5, learning_rate=0.1, seconds=0.01
    )
    frame = history.to_frame()
    assert list(frame.columns) == list(history.columns)
    assert list(frame.columns) == [
        "epoch",
        "train_loss",
        "val_loss",
        "val_accuracy",
        "learning_rate",
        "seconds",
    ]
    assert frame.shape == (1, 6)
    copied = history.copy()
    copied.append(**history.records[0])
    assert len(history.records) == 1


def _run(tiny_digits, rng, *, lr=0.5, weights=None, early_stopping=True, **config):
    X, y = tiny_digits
    net = Network(make_layers([10], "logistic", 10)).build(64, rng, np.float64)
    optimizer = SGD(net.flat_params.size, np.float64, lr)
    settings = dict(
        batch_size=25,
        max_iter=30,
        shuffle=True,
        early_stopping=early_stopping,
        n_iter_no_change=3,
        tol=0.0,
        alpha=0.0,
        verbose=False,
    )
    settings.update(config)
    rows, holdout = training_rows(
        X, y, weights, validation_fraction=0.25 if early_stopping else None, rng=rng
    )
    history = History()
    stopper = EarlyStopping(settings["n_iter_no_change"], 0.0, early_stopping)
    result = train(
        net,
        optimizer,
        make_schedule("constant", lr),
        rows,
        config=TrainingConfig(**settings),
        rng=rng,
        history=history,
        stopper=stopper,
        targets=DIGITS,
        validation=holdout,
    )
    return net, result, history, stopper


def test_training_restores_the_best_epoch(tiny_digits, rng):
    net, result, history, stopper = _run(tiny_digits, rng, max_iter=300, n_iter_no_change=2)
    val = history.column("val_loss")
    assert result.converged
    assert result.restored_best
    assert result.n_epochs < 300
    assert stopper.best_epoch == int(np.argmin(val)) + 1
    np.testing.assert_array_equal(net.flat_params, stopper.best_params)
    # the stop came n_iter_no_change epochs after the last improvement
    assert result.n_epochs - stopper.best_epoch == 2


def test_an_epoch_is_every_sample_once(tiny_digits, rng):
    _, result, history, _ = _run(tiny_digits, rng, max_iter=10, early_stopping=False)
    frame = history.to_frame()
    assert len(frame) == result.n_epochs == 10
    assert frame["train_loss"].iloc[-1] < frame["train_loss"].iloc[0]
    assert frame["val_loss"].isna().all()
    assert result.t == 10 * 300
    assert len(history.batch_losses) == 10
    assert len(history.batch_losses[0]) == 12  # ceil(300 / 25) minibatches


def test_zero_weight_minibatches_are_skipped(tiny_digits, rng):
    weights = np.zeros(300)
    weights[:5] = 1.0  # most minibatches hold only zero-weight rows
    net, _, history, _ = _run(
        tiny_digits, rng, weights=weights, max_iter=3, early_stopping=False, shuffle=False
    )
    assert np.isfinite(history.column("train_loss")).all()
    assert np.isfinite(net.flat_params).all()
    assert (history.batch_losses[0][1:] == 0).all()


class _Exploding(SGD):
    """SGD that writes an infinite weight at its ``explode_at``-th step."""

    explode_at = 40  # 9 minibatches an epoch with a hold-out: during the fifth

    def step(self, params, grads):
        super().step(params, grads)
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == self.explode_at:
            params[0] = np.inf


def _train_exploding(tiny_digits, rng, *, early_stopping, explode_at=40):
    X, y = tiny_digits
    net = Network(make_layers([10], "logistic", 10)).build(64, rng, np.float64)
    optimizer = _Exploding(net.flat_params.size, np.float64, 0.5)
    optimizer.explode_at = explode_at
    fraction = 0.25 if early_stopping else None
    rows, holdout = training_rows(X, y, None, validation_fraction=fraction, rng=rng)
    stopper = EarlyStopping(5, 0.0, early_stopping)
    config = TrainingConfig(25, 30, True, early_stopping, 5, 0.0, 0.0, False)
    with np.errstate(all="ignore"):
        result = train(
            net,
            optimizer,
            make_schedule("constant", 0.5),
            rows,
            config=config,
            rng=rng,
            history=History(),
            stopper=stopper,
            targets=DIGITS,
            validation=holdout,
        )
    return net, result, stopper


def test_divergence_with_early_stopping_restores_the_best_epoch(tiny_digits, rng):
    with pytest.warns(ConvergenceWarning, match="diverged at epoch 5"):
        net, result, stopper = _train_exploding(tiny_digits, rng, early_stopping=True)
    assert result.diverged_epoch == 5
    assert result.n_epochs == 4
    assert np.isfinite(net.flat_params).all()
    np.testing.assert_array_equal(net.flat_params, stopper.best_params)


def test_divergence_without_early_stopping_is_a_value_error(tiny_digits, rng):
    with pytest.raises(ValueError, match=r"diverged at epoch 1.*learning_rate_init"):
        _train_exploding(tiny_digits, rng, early_stopping=False, explode_at=3)


def test_interrupt_keeps_the_last_completed_epoch(tiny_digits, rng, monkeypatch):
    import skmlp._training as training

    calls = {"n": 0}
    real = training.run_epoch

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "run_epoch", interrupted)
    with pytest.warns(UserWarning, match="interrupted"):
        net, result, _, stopper = _run(tiny_digits, rng, max_iter=10)
    assert result.interrupted
    assert result.n_epochs == 2
    np.testing.assert_array_equal(net.flat_params, stopper.best_params)


def test_interrupt_before_any_epoch_propagates(tiny_digits, rng, monkeypatch):
    import skmlp._training as training

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "run_epoch", interrupted)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no "interrupted" warning
        with pytest.raises(KeyboardInterrupt):
            _run(tiny_digits, rng, max_iter=10)


def test_evaluate(tiny_digits, rng):
    net, *_ = _run(tiny_digits, rng, max_iter=1)
    X, y = tiny_digits
    Y = one_hot(y[:50], 10, X.dtype)
    loss, accuracy = evaluate(net, X[:50], Y, score=DIGITS.score)
    Z = net.logits(X[:50])
    assert loss == pytest.approx(log_loss_from_logits(Z, Y))
    assert accuracy == np.mean(Z.argmax(axis=1) == y[:50])
    w = np.arange(50.0)
    _, weighted_accuracy = evaluate(net, X[:50], Y, w, score=DIGITS.score)
    assert weighted_accuracy == pytest.approx(np.dot(Z.argmax(axis=1) == y[:50], w) / w.sum())


def test_a_non_finite_validation_loss_is_an_error(tiny_digits, rng):
    net, *_ = _run(tiny_digits, rng, max_iter=1)
    X, y = tiny_digits
    net.layers[0].params["coef"][0, 0] = np.nan
    with pytest.raises(ValueError, match="epoch 7"):
        evaluate(net, X[:5], one_hot(y[:5], 10, X.dtype), score=DIGITS.score, epoch=7)

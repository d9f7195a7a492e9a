"""``verbose=True``: a line per epoch, and a fit's last line says why training stopped."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPLayerClassifier, MLPLayerRegressor
from skmlp.layers import Identity, Linear, SoftmaxOutput

FAST = dict(hidden_layer_sizes=(8,), random_state=0, verbose=True)


def last_line(capsys):
    return capsys.readouterr().out.splitlines()[-1]


def quiet_fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def test_validation_loss_plateau(tiny_digits, capsys):
    X, y = tiny_digits
    clf = MLPLayerClassifier(
        **FAST, max_iter=300, learning_rate_init=0.05, early_stopping=True, n_iter_no_change=3
    ).fit(X, y)
    assert clf.n_iter_ < 300
    assert last_line(capsys) == (
        "Validation loss did not improve more than tol=0.0001 for 4 consecutive epochs. "
        f"Stopping. Restored the weights of epoch {clf.best_epoch_}, the best validation loss."
    )


def test_training_loss_plateau(tiny_digits, capsys):
    X, y = tiny_digits
    clf = MLPLayerClassifier(**FAST, max_iter=50, tol=10.0, n_iter_no_change=2).fit(X, y)
    assert clf.n_iter_ == 4  # no epoch improves the first one's loss by 10
    assert last_line(capsys) == (
        "Training loss did not improve more than tol=10 for 3 consecutive epochs. Stopping."
    )


@pytest.mark.parametrize(("scoring", "name"), [("accuracy", "accuracy"), (None, "score")])
def test_score_plateau(tiny_digits, capsys, scoring, name):
    X, y = tiny_digits
    clf = MLPLayerClassifier(
        **FAST, max_iter=300, early_stopping=True, n_iter_no_change=2, scoring=scoring
    ).fit(X, y)
    assert last_line(capsys) == (
        f"Validation score ({name}) did not improve more than tol=0.0001 for 3 consecutive "
        f"epochs. Stopping. Restored the weights of epoch {clf.best_epoch_}, the best "
        f"validation score ({name})."
    )


@pytest.mark.parametrize("Estimator", [MLPLayerClassifier, MLPLayerRegressor])
def test_max_iter(tiny_digits, capsys, Estimator):
    X, y = tiny_digits
    quiet_fit(Estimator(**FAST, max_iter=3), X, y)
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out[:3]] == ["Epoch 1", "Epoch 2", "Epoch 3"]
    assert out[3:] == ["Reached max_iter=3 epochs. Stopping."]


def test_max_iter_under_early_stopping_names_the_restored_epoch(tiny_digits, capsys):
    X, y = tiny_digits
    clf = quiet_fit(MLPLayerClassifier(**FAST, max_iter=5, early_stopping=True), X, y)
    assert last_line(capsys) == (
        "Reached max_iter=5 epochs. Stopping. Restored the weights of epoch "
        f"{clf.best_epoch_}, the best validation loss."
    )


def test_a_callback(tiny_digits, capsys):
    X, y = tiny_digits
    clf = MLPLayerClassifier(**FAST, max_iter=50)
    if not hasattr(clf, "set_callbacks"):
        pytest.skip("needs scikit-learn >= 1.9 (sklearn.callback)")

    class StopAtTwo:
        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context):
            pass

        def on_fit_task_end(self, estimator, context):
            return context.task_name == "epoch" and context.task_id == 1

    clf.set_callbacks(StopAtTwo()).fit(X, y)
    assert last_line(capsys) == "A callback asked to stop after epoch 2."


def test_divergence(tiny_digits, capsys):
    X, y = tiny_digits

    class PoisonsLater(Identity):
        calls = 0

        def backward(self, grad_out):
            type(self).calls += 1
            return grad_out * np.nan if type(self).calls > 8 else grad_out

    stack = [Linear(8), PoisonsLater(), Linear(), SoftmaxOutput()]
    clf = MLPLayerClassifier(layers=stack, early_stopping=True, verbose=True, random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged"), np.errstate(all="ignore"):
        clf.fit(X, y)
    # 225 rows trained on (75 held out) in 2 minibatches: the 9th backward is in epoch 5
    assert last_line(capsys) == (
        "Training diverged at epoch 5 (the training loss became nan). Restored the weights "
        f"of epoch {clf.best_epoch_}, the best validation loss."
    )


def test_keyboard_interrupt(tiny_digits, capsys):
    X, y = tiny_digits

    class Interrupts(Identity):
        calls = 0

        def forward(self, X, *, training=True):
            if training:
                type(self).calls += 1
                if type(self).calls == 5:  # in the third epoch of two minibatches
                    raise KeyboardInterrupt
            return X

    stack = [Linear(8), Interrupts(), Linear(), SoftmaxOutput()]
    clf = MLPLayerClassifier(layers=stack, batch_size=150, verbose=True, random_state=0)
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    assert clf.n_iter_ == 2
    assert last_line(capsys) == (
        "Interrupted by the user (KeyboardInterrupt) during epoch 3; the model of epoch 2 is kept."
    )


def test_lbfgs_gives_its_own_reason(tiny_digits, capsys):
    X, y = tiny_digits
    quiet_fit(MLPLayerClassifier(**FAST, solver="lbfgs", max_iter=4), X, y)
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out[:4]] == [f"Iteration {i}" for i in range(1, 5)]
    assert out[4:] == [
        "L-BFGS stopped after 4 iteration(s): STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT"
    ]


def test_partial_fit_and_quiet_fits_print_no_stop_line(tiny_digits, capsys):
    X, y = tiny_digits
    clf = MLPLayerClassifier(**FAST)
    clf.partial_fit(X, y, classes=np.arange(10))
    assert capsys.readouterr().out.startswith("Epoch 1:")
    quiet_fit(clf.set_params(verbose=False, max_iter=2), X, y)
    assert capsys.readouterr().out == ""

"""Displays of skmlp.plotting: what they draw, from which fitted attributes."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skmlp import MLPLayerClassifier
from skmlp.datasets import TUTORIAL_PARAMS
from skmlp.plotting import ImageGridDisplay, TrainingCurveDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16, y[:300]


@pytest.fixture(scope="module")
def fitted(digits):
    """A small network trained the tutorial's way (early stopping, minibatches of 25)."""
    X, y = digits
    params = {**TUTORIAL_PARAMS, "hidden_layer_sizes": (10,), "max_iter": 8, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=8
        return MLPLayerClassifier(**params).fit(X, y)


def test_training_curves_from_estimator(fitted):
    display = TrainingCurveDisplay.from_estimator(fitted)
    n_epochs = fitted.n_iter_
    np.testing.assert_allclose(display.lines_["train"].get_ydata(), fitted.loss_curve_)
    np.testing.assert_array_equal(display.lines_["train"].get_xdata(), np.arange(1, n_epochs + 1))
    np.testing.assert_allclose(
        display.lines_["validation"].get_ydata(), fitted.validation_loss_curve_
    )
    batches = np.concatenate(fitted.batch_loss_curve_)
    np.testing.assert_allclose(display.lines_["batch"].get_ydata(), batches)
    # The last minibatch of every epoch sits on that epoch's tick.
    x = display.lines_["batch"].get_xdata()
    ends = np.cumsum([len(b) for b in fitted.batch_loss_curve_]) - 1
    np.testing.assert_allclose(x[ends], np.arange(1, n_epochs + 1))
    assert display.best_epoch_line_.get_xdata()[0] == fitted.best_epoch_
    assert display.ax_.figure is display.figure_
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert f"weights kept (epoch {fitted.best_epoch_})" in labels


def test_training_curves_on_given_axes_and_options(fitted):
    fig, (ax1, ax2) = plt.subplots(1, 2)
    display = TrainingCurveDisplay.from_estimator(
        fitted, ax=ax2, name="skmlp", show_batches=False, show_best_epoch=False
    )
    assert display.ax_ is ax2
    assert display.figure_ is fig
    assert set(display.lines_) == {"train", "validation"}
    assert display.best_epoch_line_ is None
    assert display.lines_["train"].get_label() == "skmlp: training loss"
    assert not ax1.lines


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_training_curves_without_early_stopping_mark_nothing(digits):
    X, y = digits
    clf = MLPLayerClassifier((10,), early_stopping=False, max_iter=5, random_state=0).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(clf)
    assert set(display.lines_) == {"train", "batch"}
    assert display.best_epoch_line_ is None


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_training_curves_of_a_pipeline_and_of_sklearn_mlp(digits):
    X, y = digits
    pipe = make_pipeline(MinMaxScaler(), MLPLayerClassifier((10,), max_iter=5, random_state=0))
    display = TrainingCurveDisplay.from_estimator(pipe.fit(X, y))
    np.testing.assert_allclose(display.lines_["train"].get_ydata(), pipe[-1].loss_curve_)

    sk = MLPClassifier((10,), early_stopping=True, max_iter=20, random_state=0).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(sk)
    assert set(display.lines_) == {"train"}
    best = int(np.argmax(sk.validation_scores_)) + 1
    assert display.best_epoch_line_.get_xdata()[0] == best


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_training_curves_errors(digits):
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(MLPLayerClassifier())
    X, y = digits
    lbfgs = MLPClassifier((5,), solver="lbfgs", max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match="no loss_curve_"):
        TrainingCurveDisplay.from_estimator(lbfgs)


def test_training_curves_from_raw_values():
    display = TrainingCurveDisplay(train_loss=[1.0, 0.5, 0.4], best_epoch=2).plot()
    assert set(display.lines_) == {"train"}
    assert display.best_epoch_line_ is not None


def test_image_grid_from_data(digits):
    X, y = digits
    display = ImageGridDisplay.from_data(X, y)
    assert [t.get_text() for t in display.texts_] == [str(d) for d in range(10)]
    first_three = np.flatnonzero(y == 3)[0]
    np.testing.assert_array_equal(display.images_[3].get_array(), X[first_three].reshape(8, 8))

    display = ImageGridDisplay.from_data(X, max_images=4, n_cols=2)
    assert len(display.images_) == 4
    assert display.texts_ == []

    display = ImageGridDisplay.from_data(X, y, one_per_class=False, max_images=5)
    assert [t.get_text() for t in display.texts_] == [str(d) for d in y[:5]]


def test_image_grid_from_predictions(digits):
    X, y = digits
    y_pred = y.copy()
    y_pred[[4, 7]] = (y[[4, 7]] + 1) % 10
    display = ImageGridDisplay.from_predictions(X, y, y_pred)
    assert [t.get_text() for t in display.texts_] == [
        f"{y[4]} → {y_pred[4]}",
        f"{y[7]} → {y_pred[7]}",
    ]
    everything = ImageGridDisplay.from_predictions(X, y, y_pred, errors_only=False, max_images=3)
    assert len(everything.images_) == 3
    _, ax = plt.subplots()
    assert ImageGridDisplay.from_predictions(X, y, y, ax=ax).images_ == []


def test_image_grid_shapes():
    X = np.arange(2 * 12, dtype=float).reshape(2, 12)
    with pytest.raises(ValueError, match="square"):
        ImageGridDisplay.from_data(X)
    display = ImageGridDisplay.from_data(X, image_shape=(3, 4))
    assert display.images_[0].get_array().shape == (3, 4)
    display = ImageGridDisplay.from_data(X.reshape(2, 3, 4))
    assert display.images_[1].get_array().shape == (3, 4)


def test_missing_matplotlib_names_the_extra(monkeypatch, fitted):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'skmlp\[plot\]'"):
        TrainingCurveDisplay.from_estimator(fitted)
    with pytest.raises(ImportError, match=r"ImageGridDisplay.plot requires matplotlib"):
        ImageGridDisplay.from_data(np.zeros((1, 4)))


def test_importing_skmlp_does_not_import_matplotlib():
    code = (
        "import sys, skmlp, skmlp.plotting, skmlp.layers, skmlp.datasets; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_training_curves_show_the_loss_of_x_val_without_early_stopping(digits, solver):
    X, y = digits
    clf = MLPLayerClassifier((10,), solver=solver, max_iter=6, random_state=0)
    clf.fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])
    assert clf.history_["val_loss"].tolist() == clf.validation_loss_curve_
    display = TrainingCurveDisplay.from_estimator(clf)
    np.testing.assert_allclose(display.lines_["validation"].get_ydata(), clf.validation_loss_curve_)
    assert display.best_epoch_line_ is None  # the last epoch's weights were kept


def test_training_curves_mark_the_epoch_scoring_kept(digits):
    X, y = digits
    clf = MLPLayerClassifier(
        (10,), early_stopping=True, scoring="accuracy", n_iter_no_change=3, random_state=0
    )
    clf.fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])
    display = TrainingCurveDisplay.from_estimator(clf)
    np.testing.assert_allclose(display.lines_["validation"].get_ydata(), clf.validation_loss_curve_)
    assert display.best_epoch_line_.get_xdata()[0] == clf.best_epoch_
    assert clf.best_epoch_ == int(np.argmax(clf.validation_scores_)) + 1

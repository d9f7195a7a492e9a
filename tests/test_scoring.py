"""``scoring``: what early stopping watches on the validation rows, recorded per epoch."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, f1_score, make_scorer
from sklearn.utils._param_validation import InvalidParameterError

from skmlp import MLPLayerClassifier, MLPLayerRegressor
from skmlp.datasets import TUTORIAL_PARAMS

FAST = dict(hidden_layer_sizes=(8,), max_iter=12, random_state=0)


def quiet_fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


@pytest.fixture(scope="module")
def digits_split():
    """The tutorial network's data: 1,200 digits to train on, 400 to validate on."""
    X, y = load_digits(return_X_y=True)
    return X[:1200], y[:1200], X[1200:1600], y[1200:1600]


@pytest.fixture(scope="module")
def tutorial_fits(digits_split):
    X, y, X_val, y_val = digits_split
    return {
        scoring: MLPLayerClassifier(**TUTORIAL_PARAMS, scoring=scoring, random_state=0).fit(
            X, y, X_val=X_val, y_val=y_val
        )
        for scoring in ("loss", "accuracy")
    }


def test_accuracy_and_loss_stopping_train_alike_and_stop_differently(tutorial_fits):
    by_loss, by_accuracy = tutorial_fits["loss"], tutorial_fits["accuracy"]
    n = min(by_loss.n_iter_, by_accuracy.n_iter_)
    assert by_loss.n_iter_ != by_accuracy.n_iter_
    assert by_loss.best_epoch_ != by_accuracy.best_epoch_
    # the scoring changes when training stops, not what an epoch does
    np.testing.assert_array_equal(by_loss.loss_curve_[:n], by_accuracy.loss_curve_[:n])
    np.testing.assert_array_equal(
        by_loss.history_["val_accuracy"][:n], by_accuracy.history_["val_score"][:n]
    )
    patience = TUTORIAL_PARAMS["n_iter_no_change"] + 1  # scikit-learn's rule: more than n
    for clf in (by_loss, by_accuracy):
        assert clf.n_iter_ - clf.best_epoch_ == patience  # tol=0: every strict gain counts


def test_the_restored_epoch_is_the_best_by_the_score(tutorial_fits, digits_split):
    _, _, X_val, y_val = digits_split
    clf = tutorial_fits["accuracy"]
    scores = clf.history_["val_score"].to_numpy()
    assert clf.best_epoch_ == int(np.argmax(scores)) + 1  # the first epoch of the best score
    assert clf.validation_scores_ == scores.tolist()
    assert clf.best_validation_score_ == scores.max()
    assert accuracy_score(y_val, clf.predict(X_val)) == clf.best_validation_score_
    assert clf.best_validation_loss_ == clf.validation_loss_curve_[clf.best_epoch_ - 1]
    # by the loss, another epoch would have been the best
    assert clf.best_validation_loss_ > min(clf.validation_loss_curve_)
    by_loss = tutorial_fits["loss"]
    assert by_loss.best_epoch_ == int(np.argmin(by_loss.validation_loss_curve_)) + 1


def test_history_has_a_val_score_column_beside_the_losses(tutorial_fits):
    assert list(tutorial_fits["accuracy"].history_.columns) == [
        "epoch",
        "train_loss",
        "val_loss",
        "val_accuracy",
        "val_score",
        "learning_rate",
        "seconds",
    ]
    assert "val_score" not in tutorial_fits["loss"].history_


@pytest.mark.parametrize("early_stopping", [False, True])
def test_neg_log_loss_is_minus_the_validation_loss(tiny_digits, early_stopping):
    X, y = tiny_digits
    params = dict(FAST, max_iter=100, learning_rate_init=0.05, n_iter_no_change=3)
    params["early_stopping"] = early_stopping
    by_score = quiet_fit(MLPLayerClassifier(**params, scoring="neg_log_loss"), X, y)
    by_loss = quiet_fit(MLPLayerClassifier(**params), X, y)
    np.testing.assert_allclose(
        by_score.history_["val_score"], -by_score.history_["val_loss"], rtol=1e-9
    )
    if early_stopping:  # the same quantity: the same stop
        assert by_score.n_iter_ == by_loss.n_iter_ < 100
        assert by_score.best_epoch_ == by_loss.best_epoch_
        np.testing.assert_array_equal(by_score.predict_proba(X), by_loss.predict_proba(X))
    else:  # nothing to validate on: no score
        assert by_score.history_["val_score"].isna().all()
        assert by_score.validation_scores_ is None


def test_none_scores_with_the_estimators_score(tiny_digits):
    X, y = tiny_digits
    clf = quiet_fit(
        MLPLayerClassifier(**FAST, scoring=None), X[:200], y[:200], X_val=X[200:], y_val=y[200:]
    )
    np.testing.assert_array_equal(clf.history_["val_score"], clf.history_["val_accuracy"])


def test_callables_and_make_scorer(tiny_digits):
    X, y = tiny_digits
    X_val, y_val = X[200:], y[200:]
    seen = []

    def first_class_share(estimator, X, y):
        seen.append(estimator.n_iter_ if hasattr(estimator, "n_iter_") else None)
        return float(np.mean(estimator.predict(X) == y[0]))

    clf = quiet_fit(
        MLPLayerClassifier(**FAST, scoring=first_class_share),
        X[:200],
        y[:200],
        X_val=X_val,
        y_val=y_val,
    )
    assert len(seen) == clf.n_iter_
    f1 = make_scorer(f1_score, average="macro")
    clf = quiet_fit(
        MLPLayerClassifier(**FAST, scoring=f1), X[:200], y[:200], X_val=X_val, y_val=y_val
    )
    assert clf.history_["val_score"].iloc[-1] == pytest.approx(
        f1_score(y_val, clf.predict(X_val), average="macro")
    )
    pickle.loads(pickle.dumps(clf))  # a scorer made by make_scorer pickles


def test_the_scorer_gets_the_validation_weights(tiny_digits):
    X, y = tiny_digits
    sw_val = np.linspace(0.1, 3.0, 100)
    clf = MLPLayerClassifier(**FAST, scoring="accuracy", class_weight={0: 5.0})
    quiet_fit(clf, X[:200], y[:200], X_val=X[200:], y_val=y[200:], sample_weight_val=sw_val)
    # the built-in weighted accuracy uses sample_weight_val times the class weights
    np.testing.assert_allclose(clf.history_["val_score"], clf.history_["val_accuracy"], rtol=1e-12)
    weights = sw_val * np.where(y[200:] == 0, 5.0, 1.0)
    assert clf.best_validation_score_ == pytest.approx(
        accuracy_score(y[200:], clf.predict(X[200:]), sample_weight=weights)
    )


def test_without_early_stopping_the_score_is_recorded_and_picks_best_epoch(tiny_digits):
    X, y = tiny_digits
    clf = quiet_fit(
        MLPLayerClassifier(**FAST, scoring="balanced_accuracy"),
        X[:200],
        y[:200],
        X_val=X[200:],
        y_val=y[200:],
    )
    assert clf.n_iter_ == FAST["max_iter"]  # nothing stops
    scores = clf.validation_scores_
    assert len(scores) == clf.n_iter_
    assert not np.isnan(scores).any()
    assert clf.best_epoch_ == int(np.argmax(scores)) + 1


@pytest.mark.parametrize("frame", [False, True])
def test_dataframes_and_sparse_rows_are_scored_without_warnings(tiny_digits, frame):
    X, y = tiny_digits
    if frame:
        pd = pytest.importorskip("pandas")
        X = pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])])
    else:
        X = sp.csr_matrix(X)
    clf = MLPLayerClassifier(**FAST, early_stopping=True, scoring="accuracy")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert not np.isnan(clf.validation_scores_).any()


def test_partial_fit_and_lbfgs_record_the_score(tiny_digits):
    X, y = tiny_digits
    X_val, y_val = X[200:], y[200:]
    clf = MLPLayerClassifier(**FAST, scoring="accuracy")
    for _ in range(3):
        clf.partial_fit(X[:200], y[:200], classes=np.arange(10), X_val=X_val, y_val=y_val)
    np.testing.assert_array_equal(clf.history_["val_score"], clf.history_["val_accuracy"])
    assert clf.best_epoch_ == int(np.argmax(clf.validation_scores_)) + 1
    lbfgs = quiet_fit(
        MLPLayerClassifier(**FAST, solver="lbfgs", scoring="accuracy"),
        X[:200],
        y[:200],
        X_val=X_val,
        y_val=y_val,
    )
    np.testing.assert_array_equal(lbfgs.history_["val_score"], lbfgs.history_["val_accuracy"])


def test_regressor_scorings(tiny_digits):
    X, y = tiny_digits
    y = y.astype(float)
    params = dict(FAST, max_iter=30, early_stopping=True, n_iter_no_change=3)
    r2 = quiet_fit(MLPLayerRegressor(**params, scoring="r2"), X, y)
    np.testing.assert_allclose(r2.history_["val_score"], r2.history_["val_r2"], rtol=1e-9)
    assert r2.best_epoch_ == int(np.argmax(r2.validation_scores_)) + 1
    mse = quiet_fit(MLPLayerRegressor(**params, scoring="neg_mean_squared_error"), X, y)
    # the validation loss is half the mean squared error
    np.testing.assert_allclose(mse.history_["val_score"], -2 * mse.history_["val_loss"], rtol=1e-9)


class Recorder:
    """Counts the callback hooks that ran."""

    def __init__(self):
        self.calls = 0

    def setup(self, estimator, context):
        self.calls += 1

    def teardown(self, estimator, context):
        self.calls += 1

    def on_fit_task_begin(self, estimator, context):
        self.calls += 1

    def on_fit_task_end(self, estimator, context):
        self.calls += 1


@pytest.mark.parametrize("Estimator", [MLPLayerClassifier, MLPLayerRegressor])
def test_an_unknown_scorer_fails_before_anything_happens(tiny_digits, Estimator):
    X, y = tiny_digits
    est = Estimator(**FAST, scoring="no_such_scorer")
    recorder = Recorder()
    if hasattr(est, "set_callbacks"):  # scikit-learn >= 1.9
        est.set_callbacks(recorder)
    with pytest.raises(ValueError, match="no_such_scorer"):
        est.fit(X, y)
    assert recorder.calls == 0  # not even the callbacks' setup ran
    assert not hasattr(est, "n_features_in_")
    # a fitted estimator keeps its model
    est.set_params(scoring="loss")
    quiet_fit(est, X, y)
    before = est.predict(X)
    with pytest.raises(ValueError, match="no_such_scorer"):
        est.set_params(scoring="no_such_scorer", warm_start=True).fit(X, y)
    np.testing.assert_array_equal(est.predict(X), before)
    assert len(est.history_) == FAST["max_iter"]


@pytest.mark.parametrize("scoring", [3, ["accuracy"], {"a": "accuracy"}])
def test_scoring_of_the_wrong_type_is_a_parameter_error(tiny_digits, scoring):
    X, y = tiny_digits
    with pytest.raises(InvalidParameterError, match="scoring"):
        MLPLayerClassifier(**FAST, scoring=scoring).fit(X, y)


def test_a_failing_or_nan_scorer_changes_nothing(tiny_digits):
    X, y = tiny_digits
    clf = quiet_fit(MLPLayerClassifier(**FAST), X, y)
    before = clf.predict_proba(X)

    def broken(estimator, X, y):
        raise RuntimeError("scorer failure")

    with pytest.raises(RuntimeError, match="scorer failure"):
        clf.set_params(scoring=broken, early_stopping=True).fit(X, y)
    with pytest.raises(ValueError, match="NaN after epoch 1"):
        clf.set_params(scoring=lambda est, X, y: np.nan).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert "val_score" not in clf.history_

"""MLPLayerClassifier against scikit-learn's own MLP tests.

Scenarios ported from scikit-learn's sklearn/neural_network/tests/test_mlp.py,
BSD-3-Clause (the scikit-learn developers), rewritten against skmlp's public
API: the same data, settings and assertions, changed only where skmlp
documents a difference, with the reason beside each change. Every test names
the scikit-learn test it ports. The regressor's half is
``test_sklearn_port_regressor.py``; tests that scikit-learn parametrizes over
both estimators are split between the two files.

Adapted (reason beside each test):

* ``test_fit``: scikit-learn writes the starting weights into private
  attributes; here they come in through ``layers=``, as a ``Linear`` subclass
  that draws the given weights.
* ``test_gradient``: scikit-learn differentiates its private
  ``_loss_grad_lbfgs``; here :func:`skmlp.check_gradients` checks the fitted
  ``layers_`` against central differences.
* ``test_learning_rate_warmstart``, ``test_adaptive_learning_rate``: the
  learning rate is read from ``history_["learning_rate"]`` (the rate each
  epoch used), not from the private ``_optimizer``.
* ``test_n_iter_no_change``, ``test_n_iter_no_change_inf``: the private
  ``_no_improvement_count`` is recomputed from ``loss_curve_`` with
  scikit-learn's rule (and ``max_iter`` is cut from 3000 to 300 in the
  second, which always runs to ``max_iter``).
* ``test_early_stopping``: skmlp monitors the validation *loss*, so
  ``best_validation_score_`` is the accuracy of the lowest-loss epoch, not
  the highest accuracy.
* ``test_predict_proba_multilabel``: skmlp's log-probabilities come from the
  logits, not from ``np.log(predict_proba)``, so probabilities that round to
  1.0 keep distinct logarithms.
* ``test_early_stopping_stratified``: skmlp's stratified hold-out keeps a
  single-member class in the training rows instead of raising.
* ``test_mlp_partial_fit_after_fit``: skmlp's ``partial_fit`` documents that
  ``early_stopping`` applies to ``fit`` only, instead of raising.
* ``test_preserve_feature_names``: skmlp's classifier needs two classes.
* ``test_warm_start``: skmlp's own wording of the changed-classes error.
* ``test_verbose_sgd``: skmlp prints ``Epoch ...`` lines for sgd and adam.

Not applicable: none of the classifier's tests (the sparse-container
parametrization is spelled out with SciPy's CSR matrix and array).
"""

import io
import re
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import (
    load_digits,
    load_iris,
    make_classification,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import LabelBinarizer, MinMaxScaler

from skmlp import MLPLayerClassifier, check_gradients
from skmlp.layers import Linear, Logistic, LogisticOutput

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]


def _digits(n_class, n_rows=200):
    X, y = load_digits(n_class=n_class, return_X_y=True)
    return MinMaxScaler().fit_transform(X[:n_rows]), y[:n_rows]


#: scikit-learn's two classification sets: 200 digits of 3 classes and of 2,
#: scaled to [0, 1].
X_MULTI, Y_MULTI = _digits(3)
X_BINARY, Y_BINARY = _digits(2)
CLASSIFICATION_SETS = {"multiclass": (X_MULTI, Y_MULTI), "binary": (X_BINARY, Y_BINARY)}
#: The 360 unscaled digits of two classes, for the dtype tests.
X_DIGITS_2, Y_DIGITS_2 = load_digits(n_class=2, return_X_y=True)
X_IRIS, Y_IRIS = load_iris(return_X_y=True)


def fit_quietly(estimator, X, y, **fit_params):
    """Fit without the ConvergenceWarning of a deliberately short run."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


def count_no_improvement(loss_curve, tol):
    """scikit-learn's ``_no_improvement_count`` after the last epoch of ``loss_curve``."""
    best, count = np.inf, 0
    for loss in loss_curve:
        count = count + 1 if loss > best - tol else 0
        best = min(best, loss)
    return count


class PresetLinear(Linear):
    """A Linear layer whose build gives it fixed starting weights."""

    def __init__(self, coef, intercept):
        self.coef = np.asarray(coef, dtype=float)
        self.intercept_init = np.asarray(intercept, dtype=float)
        super().__init__(self.coef.shape[1])

    def build(self, n_in, rng, dtype):
        n_out = super().build(n_in, rng, dtype)
        self.params["coef"][...] = self.coef
        self.params["intercept"][...] = self.intercept_init
        return n_out


# -- penalty and the worked example -------------------------------------------------


def test_larger_alpha_gives_smaller_weights():
    """sklearn: test_alpha."""
    X, y = X_BINARY[:100], Y_BINARY[:100]
    sums = []
    for alpha in (0, 1):
        clf = MLPLayerClassifier(hidden_layer_sizes=10, alpha=alpha, random_state=1)
        fit_quietly(clf, X, y)
        sums.append([np.abs(W).sum() for W in clf.coefs_])
    assert (np.array(sums[0]) > np.array(sums[1])).all()


def test_one_sgd_step_matches_the_worked_example():
    """sklearn: test_fit, the hand-computed SGD step of a 3-2-1 logistic network.

    Adapted: the starting weights go in through ``layers=`` (PresetLinear)
    instead of private attributes; the stack is the one scikit-learn builds
    for a binary problem (logistic hidden units, one logistic output).
    """
    X, y = np.array([[0.6, 0.8, 0.7]]), np.array([0])
    layers = [
        PresetLinear([[0.1, 0.2], [0.3, 0.1], [0.5, 0.0]], [0.1, 0.1]),
        Logistic(),
        PresetLinear([[0.1], [0.2]], [1.0]),
        LogisticOutput(),
    ]
    clf = MLPLayerClassifier(
        layers=layers,
        solver="sgd",
        learning_rate_init=0.1,
        alpha=0.1,
        momentum=0,
        max_iter=1,
        random_state=1,
    )
    clf.partial_fit(X, y, classes=[0, 1])
    coef_hidden, coef_out = clf.coefs_
    intercept_hidden, intercept_out = clf.intercepts_
    expected_hidden = [[0.098, 0.195756], [0.2956664, 0.096008], [0.4939998, -0.002244]]
    np.testing.assert_almost_equal(coef_hidden, expected_hidden, decimal=3)
    np.testing.assert_almost_equal(coef_out, [[0.04706], [0.154089]], decimal=3)
    np.testing.assert_almost_equal(intercept_hidden, [0.098333, 0.09626], decimal=3)
    np.testing.assert_almost_equal(intercept_out, [0.9235], decimal=3)
    assert clf.n_outputs_ == 1
    assert clf.out_activation_ == "logistic"
    np.testing.assert_almost_equal(clf.predict_proba(X)[0, 1], 0.739, decimal=3)


@pytest.mark.parametrize("n_labels", [2, 3])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_fitted_network_gradients_match_finite_differences(n_labels, activation):
    """sklearn: test_gradient.

    Adapted: scikit-learn differentiates its private ``_loss_grad_lbfgs``
    numerically; skmlp has no such private hook, so the public
    ``check_gradients`` checks the fitted stack, penalty included, with the
    same data, targets (LabelBinarizer: one column for two labels) and step.
    """
    rng = np.random.RandomState(42)
    X = rng.rand(5, 10)
    y = 1 + np.mod(np.arange(5) + 1, n_labels)
    Y = LabelBinarizer().fit_transform(y)
    clf = MLPLayerClassifier(
        activation=activation,
        hidden_layer_sizes=10,
        solver="lbfgs",
        alpha=1e-5,
        learning_rate_init=0.2,
        max_iter=1,
        random_state=1,
    )
    fit_quietly(clf, X, y)
    assert clf.n_outputs_ == Y.shape[1]
    result = check_gradients(clf.layers_, X, Y, alpha=1e-5, eps=1e-5)
    assert result.passed, result.errors


# -- lbfgs ---------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", CLASSIFICATION_SETS)
def test_lbfgs_fits_the_digits(dataset):
    """sklearn: test_lbfgs_classification."""
    X, y = CLASSIFICATION_SETS[dataset]
    X_train, y_train, X_test = X[:150], y[:150], X[150:]
    for activation in ACTIVATIONS:
        clf = MLPLayerClassifier(
            solver="lbfgs",
            hidden_layer_sizes=50,
            max_iter=150,
            shuffle=True,
            random_state=1,
            activation=activation,
        )
        clf.fit(X_train, y_train)
        pred = clf.predict(X_test)
        assert clf.score(X_train, y_train) > 0.95, activation
        assert (pred.shape[0], pred.dtype.kind) == (X_test.shape[0], y_train.dtype.kind)


@pytest.mark.parametrize("dataset", CLASSIFICATION_SETS)
def test_lbfgs_stops_on_max_fun(dataset):
    """sklearn: test_lbfgs_classification_maxfun."""
    X, y = CLASSIFICATION_SETS[dataset]
    for activation in ACTIVATIONS:
        clf = MLPLayerClassifier(
            solver="lbfgs",
            hidden_layer_sizes=50,
            max_iter=150,
            max_fun=10,
            shuffle=True,
            random_state=1,
            activation=activation,
        )
        with pytest.warns(ConvergenceWarning):
            clf.fit(X, y)
        assert clf.n_iter_ <= 10


# -- learning-rate schedules -----------------------------------------------------


@pytest.mark.parametrize("learning_rate", ["invscaling", "constant"])
def test_warm_start_continues_the_learning_rate_count(learning_rate):
    """sklearn: test_learning_rate_warmstart.

    Adapted: scikit-learn reads the private ``_optimizer.learning_rate``
    after the second fit (the rate the next epoch would use). skmlp's
    ``history_["learning_rate"]`` records the rate each epoch used, so one
    ``partial_fit`` epoch after the two fits shows that rate. A seed is
    added; the rates do not depend on it.
    """
    X, y = [[3, 2], [1, 6], [5, 6], [-2, -4]], [1, 1, 1, 0]
    clf = MLPLayerClassifier(
        solver="sgd",
        hidden_layer_sizes=4,
        learning_rate=learning_rate,
        max_iter=1,
        power_t=0.25,
        warm_start=True,
        random_state=0,
    )
    fit_quietly(clf, X, y)
    fit_quietly(clf, X, y)
    clf.partial_fit(X, y)
    rates = clf.history_["learning_rate"].to_numpy()
    assert clf.t_ == 12
    if learning_rate == "constant":
        np.testing.assert_array_equal(rates, clf.learning_rate_init)
    else:  # after two fits the schedule has seen t_ = 8 samples
        assert rates[-1] == pytest.approx(clf.learning_rate_init / (8 + 1) ** clf.power_t)


def test_adaptive_learning_rate_decays_until_it_stops():
    """sklearn: test_adaptive_learning_rate.

    Adapted: the final rate is read from ``history_["learning_rate"]``
    instead of the private ``_optimizer``.
    """
    clf = MLPLayerClassifier(tol=0.5, max_iter=3000, solver="sgd", learning_rate="adaptive")
    clf.fit([[3, 2], [1, 6]], [1, 0])
    assert clf.max_iter > clf.n_iter_
    assert clf.history_["learning_rate"].iloc[-1] < 1e-6


# -- multilabel and probabilities ------------------------------------------------


def test_multilabel_fit_partial_fit_and_early_stopping():
    """sklearn: test_multilabel_classification."""
    X, Y = make_multilabel_classification(n_samples=50, random_state=0, return_indicator=True)
    common = dict(
        hidden_layer_sizes=50,
        alpha=1e-5,
        max_iter=150,
        random_state=0,
        activation="logistic",
        learning_rate_init=0.2,
    )
    clf = MLPLayerClassifier(solver="lbfgs", **common).fit(X, Y)
    assert clf.score(X, Y) > 0.97

    clf = MLPLayerClassifier(solver="sgd", **common)
    for _ in range(100):
        clf.partial_fit(X, Y, classes=[0, 1, 2, 3, 4])
    assert clf.score(X, Y) > 0.9

    # the hold-out of a multilabel y is a random split, not a stratified one
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pred = MLPLayerClassifier(early_stopping=True).fit(X, Y).predict(X)
    assert pred.shape == Y.shape


def test_binary_probabilities():
    """sklearn: test_predict_proba_binary."""
    X, y = X_BINARY[:50], Y_BINARY[:50]
    clf = fit_quietly(
        MLPLayerClassifier(hidden_layer_sizes=5, activation="logistic", random_state=1), X, y
    )
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert proba.shape == (50, 2)
    np.testing.assert_array_equal(proba.argmax(axis=1), log_proba.argmax(axis=1))
    np.testing.assert_allclose(log_proba, np.log(proba))
    assert roc_auc_score(y, proba[:, 1]) == 1.0


def test_multiclass_probabilities():
    """sklearn: test_predict_proba_multiclass."""
    X, y = X_MULTI[:10], Y_MULTI[:10]
    clf = fit_quietly(MLPLayerClassifier(hidden_layer_sizes=5), X, y)
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert proba.shape == (10, np.unique(y).size)
    np.testing.assert_array_equal(proba.argmax(axis=1), log_proba.argmax(axis=1))
    np.testing.assert_allclose(log_proba, np.log(proba))


def test_multilabel_probabilities_are_independent():
    """sklearn: test_predict_proba_multilabel (no softmax: rows need not sum to one).

    Adapted: scikit-learn's ``predict_log_proba`` is ``np.log(predict_proba)``;
    skmlp documents that it computes the log-probabilities from the logits.
    Here 37 of the 250 probabilities round to exactly 1.0, whose logarithms
    skmlp keeps apart (-4e-35, -3e-76, ...): the argmax is compared on the
    rows without a tie, and the logarithms with an absolute tolerance.
    """
    X, Y = make_multilabel_classification(n_samples=50, random_state=0, return_indicator=True)
    clf = MLPLayerClassifier(solver="lbfgs", hidden_layer_sizes=30, random_state=0).fit(X, Y)
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert proba.shape == Y.shape
    np.testing.assert_array_equal(proba > 0.5, Y)
    off_one = proba.sum(axis=1) - 1
    assert off_one @ off_one > 1e-10
    untied = (proba == proba.max(axis=1, keepdims=True)).sum(axis=1) == 1
    assert untied.sum() >= 25
    np.testing.assert_array_equal(proba[untied].argmax(axis=1), log_proba[untied].argmax(axis=1))
    np.testing.assert_allclose(log_proba, np.log(proba), rtol=1e-7, atol=1e-12)


# -- partial_fit -----------------------------------------------------------------


def test_partial_fit_rejects_other_classes():
    """sklearn: test_partial_fit_classes_error."""
    clf = MLPLayerClassifier(solver="sgd")
    clf.partial_fit([[3, 2]], [0], classes=[0, 1])
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit([[3, 2]], [0], classes=[1, 2])


@pytest.mark.parametrize("dataset", CLASSIFICATION_SETS)
def test_partial_fit_epochs_equal_fit(dataset):
    """sklearn: test_partial_fit_classification."""
    X, y = CLASSIFICATION_SETS[dataset]
    common = dict(solver="sgd", random_state=1, alpha=1e-5, learning_rate_init=0.2)
    clf = fit_quietly(MLPLayerClassifier(max_iter=100, tol=0, **common), X, y)
    by_fit = clf.predict(X)
    clf = MLPLayerClassifier(**common)
    for _ in range(100):
        clf.partial_fit(X, y, classes=np.unique(y))
    np.testing.assert_array_equal(clf.predict(X), by_fit)
    assert clf.score(X, y) > 0.95


def test_partial_fit_learns_a_class_announced_earlier():
    """sklearn: test_partial_fit_unseen_classes (scikit-learn#6994)."""
    clf = MLPLayerClassifier(random_state=0)
    clf.partial_fit([[1], [2], [3]], ["a", "b", "c"], classes=["a", "b", "c", "d"])
    clf.partial_fit([[4]], ["d"])
    assert clf.score([[1], [2], [3], [4]], ["a", "b", "c", "d"]) > 0


def test_partial_fit_errors():
    """sklearn: test_partial_fit_errors."""
    with pytest.raises(ValueError, match="classes"):
        MLPLayerClassifier(solver="sgd").partial_fit([[3, 2], [1, 6]], [1, 0], classes=[2])
    assert not hasattr(MLPLayerClassifier(solver="lbfgs"), "partial_fit")


def test_partial_fit_after_early_stopped_fit():
    """sklearn: test_mlp_partial_fit_after_fit (scikit-learn#25693).

    Adapted: scikit-learn raises "partial_fit does not support
    early_stopping=True". skmlp documents that ``early_stopping`` and
    ``validation_fraction`` apply to ``fit`` only: ``partial_fit`` trains one
    epoch on every row it is given. The scikit-learn bug (a crash) must not
    happen either way.
    """
    clf = fit_quietly(MLPLayerClassifier(early_stopping=True, random_state=0), X_IRIS, Y_IRIS)
    t_before = clf.t_
    clf.partial_fit(X_IRIS, Y_IRIS)
    assert clf.n_iter_ == 1
    assert clf.t_ == t_before + len(X_IRIS)  # nothing held out


# -- data handling -----------------------------------------------------------------


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array])
def test_sparse_input_gives_dense_results(container):
    """sklearn: test_sparse_matrices (CSR_CONTAINERS spelled out)."""
    X, y = X_BINARY[:50], Y_BINARY[:50]
    X_sparse = container(X)
    clf = MLPLayerClassifier(solver="lbfgs", hidden_layer_sizes=15, random_state=1)
    dense_pred = clf.fit(X, y).predict(X)
    sparse_pred = clf.fit(X_sparse, y).predict(X_sparse)
    np.testing.assert_almost_equal(dense_pred, sparse_pred)
    np.testing.assert_array_equal(clf.predict(X), clf.predict(X_sparse))


def test_classifier_float32_predicts_as_float64():
    """sklearn: test_mlp_classifier_dtypes_casting."""
    params = dict(alpha=1e-5, hidden_layer_sizes=(5, 3), random_state=1, max_iter=100, tol=1e-1)
    X_train, y_train, X_test = X_DIGITS_2[:300], Y_DIGITS_2[:300], X_DIGITS_2[300:]
    clf_64 = fit_quietly(MLPLayerClassifier(**params), X_train, y_train)
    clf_32 = fit_quietly(MLPLayerClassifier(**params), X_train.astype(np.float32), y_train)
    X_test_32 = X_test.astype(np.float32)
    np.testing.assert_array_equal(clf_64.predict(X_test), clf_32.predict(X_test_32))
    np.testing.assert_allclose(
        clf_64.predict_proba(X_test), clf_32.predict_proba(X_test_32), rtol=1e-2
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_classifier_parameters_keep_the_input_dtype(dtype):
    """sklearn: test_mlp_param_dtypes, classifier half."""
    X = X_DIGITS_2.astype(dtype)
    clf = MLPLayerClassifier(
        alpha=1e-5, hidden_layer_sizes=(5, 3), random_state=1, max_iter=50, tol=1e-1
    )
    fit_quietly(clf, X[:300], Y_DIGITS_2[:300])
    clf.predict(X[300:])
    assert all(b.dtype == dtype for b in clf.intercepts_)
    assert all(W.dtype == dtype for W in clf.coefs_)


def test_classifier_keeps_feature_names_under_early_stopping():
    """sklearn: test_preserve_feature_names, classifier half (scikit-learn#24846).

    Adapted: scikit-learn fits its classifier on one class; skmlp's
    classifier documents "two or more distinct values", so ``y`` alternates
    two classes. Those random labels do not converge in 200 epochs, so the
    ConvergenceWarning (a UserWarning) is let through; any other UserWarning,
    such as "X has feature names, but ... was fitted without", is an error.
    """
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(10, 2), columns=["colname_a", "colname_b"])
    y = pd.Series(np.tile([0, 1], 5), name="colname_y")
    clf = MLPLayerClassifier(early_stopping=True, validation_fraction=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)


# -- stopping --------------------------------------------------------------------


def test_tolerance_stops_before_max_iter():
    """sklearn: test_tolerance."""
    clf = MLPLayerClassifier(tol=0.5, max_iter=3000, solver="sgd").fit([[3, 2], [1, 6]], [1, 0])
    assert clf.max_iter > clf.n_iter_


def test_classifier_early_stopping_attributes():
    """sklearn: test_early_stopping, classifier half.

    Adapted: skmlp monitors the validation *loss* (its one documented
    difference in meaning), so ``best_validation_score_`` is the accuracy of
    the lowest-loss epoch rather than the highest accuracy, and ``tol`` is an
    amount of log-loss. The stopping rule scikit-learn checks on the scores
    is checked on ``validation_loss_curve_``.
    """
    X, y = X_BINARY[:100], Y_BINARY[:100]
    tol = 0.2
    clf = MLPLayerClassifier(tol=tol, max_iter=3000, solver="sgd", early_stopping=True)
    clf.fit(X, y)
    assert clf.max_iter > clf.n_iter_
    assert clf.best_loss_ is None
    assert isinstance(clf.validation_scores_, list)
    assert len(clf.validation_scores_) == clf.n_iter_
    val_loss = clf.validation_loss_curve_
    assert min(val_loss) == clf.best_validation_loss_
    assert clf.best_validation_score_ == clf.validation_scores_[clf.best_epoch_ - 1]
    assert clf.best_validation_loss_ - tol < val_loss[-2]
    assert clf.best_validation_loss_ - tol < val_loss[-1]

    clf = MLPLayerClassifier(tol=tol, max_iter=3000, solver="sgd", early_stopping=False)
    clf.fit(X, y)
    assert clf.validation_scores_ is None
    assert clf.best_validation_score_ is None
    assert clf.best_loss_ is not None


@pytest.mark.parametrize("n_iter_no_change", [2, 5, 10, 50, 100])
def test_n_iter_no_change_ends_the_fit(n_iter_no_change):
    """sklearn: test_n_iter_no_change.

    Adapted: scikit-learn reads its private ``_no_improvement_count``; here
    it is recomputed from ``loss_curve_`` with scikit-learn's rule (an epoch
    fails to improve when its loss exceeds the best so far minus ``tol``;
    training stops when more than ``n_iter_no_change`` epochs in a row fail).
    """
    X, y = X_BINARY[:100], Y_BINARY[:100]
    tol = 0.01
    clf = MLPLayerClassifier(
        tol=tol, max_iter=3000, solver="sgd", n_iter_no_change=n_iter_no_change
    ).fit(X, y)
    assert count_no_improvement(clf.loss_curve_, tol) == n_iter_no_change + 1
    assert clf.max_iter > clf.n_iter_


def test_infinite_n_iter_no_change_runs_max_iter():
    """sklearn: test_n_iter_no_change_inf.

    Adapted: the private ``_no_improvement_count`` is recomputed from
    ``loss_curve_``; max_iter is 300 instead of 3000 (same assertions, a
    tenth of the time).
    """
    X, y = X_BINARY[:100], Y_BINARY[:100]
    tol = 1e9  # every epoch after the first fails to improve
    clf = MLPLayerClassifier(tol=tol, max_iter=300, solver="sgd", n_iter_no_change=np.inf)
    fit_quietly(clf, X, y)
    assert clf.n_iter_ == 300
    assert count_no_improvement(clf.loss_curve_, tol) == clf.n_iter_ - 1


def test_early_stopping_split_is_stratified():
    """sklearn: test_early_stopping_stratified.

    Adapted: scikit-learn's stratified split (train_test_split) raises on a
    class with a single member. skmlp's documented stratified hold-out keeps
    such a class in the training rows and holds out the same share of every
    other class, so the fit succeeds; stratification itself is checked with
    weights: when only the two members of the rare class weigh anything, a
    stratified hold-out always takes one of them (a random one of 3 rows in
    20 mostly would not, and skmlp raises on an all-zero-weight hold-out).
    """
    clf = MLPLayerClassifier(early_stopping=True, max_iter=5, random_state=0)
    fit_quietly(clf, [[1, 2], [2, 3], [3, 4], [4, 5]], [0, 0, 0, 1])
    assert clf.t_ == 3 * clf.n_iter_  # one row of class 0 held out, class 1 kept

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 2)), np.array([0] * 18 + [1] * 2)
    weights = (y == 1).astype(float)
    for seed in range(10):
        clf = MLPLayerClassifier(
            early_stopping=True, validation_fraction=0.1, max_iter=2, random_state=seed
        )
        fit_quietly(clf, X, y, sample_weight=weights)


def test_early_stopping_with_string_labels():
    """sklearn: test_mlp_early_stopping_string_labels (scikit-learn#33760)."""
    X, y = make_classification(
        n_samples=200, n_features=10, n_classes=3, n_informative=5, random_state=42
    )
    y = np.array(["class_a", "class_b", "class_c"], dtype=object)[y]
    clf = fit_quietly(MLPLayerClassifier(early_stopping=True, max_iter=50, random_state=42), X, y)
    assert clf.validation_scores_ is not None
    assert len(clf.validation_scores_) == clf.n_iter_
    assert np.isfinite(clf.validation_scores_).all()


# -- warm start --------------------------------------------------------------------


def test_warm_start_keeps_the_classes():
    """sklearn: test_warm_start.

    Adapted: the error message is skmlp's own ("warm_start=True cannot
    change the set of classes ..."); it names both sets of classes, as
    scikit-learn's does.
    """
    X, y = X_IRIS, Y_IRIS
    params = dict(hidden_layer_sizes=2, solver="lbfgs", warm_start=True, random_state=42, tol=1e-2)
    same_classes = np.array([0] * 40 + [1] * 40 + [2] * 70)
    clf = fit_quietly(MLPLayerClassifier(**params), X, y)
    fit_quietly(clf, X, y)
    fit_quietly(clf, X, same_classes)

    for other in (
        np.array([0] * 75 + [1] * 75),
        np.array([0] * 50 + [1] * 50 + [3] * 50),
        np.array([0] * 37 + [1] * 37 + [2] * 38 + [3] * 38),
        np.array([0] * 30 + [1] * 30 + [2] * 30 + [3] * 30 + [4] * 30),
    ):
        clf = fit_quietly(MLPLayerClassifier(**params), X, y)
        message = "warm_start=True cannot change the set of classes"
        with pytest.raises(ValueError, match=re.escape(message)) as excinfo:
            clf.fit(X, other)
        assert str(np.unique(other)[-1]) in str(excinfo.value)


def test_classifier_warm_start_runs_max_iter_again():
    """sklearn: test_warm_start_full_iteration, classifier half (scikit-learn#16812)."""
    clf = MLPLayerClassifier(hidden_layer_sizes=2, solver="sgd", warm_start=True, max_iter=3)
    fit_quietly(clf, X_IRIS, Y_IRIS)
    assert clf.n_iter_ == 3
    fit_quietly(clf, X_IRIS, Y_IRIS)
    assert clf.n_iter_ == 3


def test_classifier_warm_start_extends_validation_scores():
    """sklearn: test_mlp_warm_start_with_early_stopping, classifier half."""
    clf = MLPLayerClassifier(max_iter=10, random_state=0, warm_start=True, early_stopping=True)
    fit_quietly(clf, X_IRIS, Y_IRIS)
    n_scores = len(clf.validation_scores_)
    clf.set_params(max_iter=20)
    fit_quietly(clf, X_IRIS, Y_IRIS)
    assert len(clf.validation_scores_) > n_scores


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_classifier_warm_start_stops_at_max_iter(solver):
    """sklearn: test_mlp_warm_start_no_convergence, classifier half (scikit-learn#24764)."""
    clf = MLPLayerClassifier(
        solver=solver,
        warm_start=True,
        early_stopping=False,
        max_iter=10,
        n_iter_no_change=np.inf,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_IRIS, Y_IRIS)
    assert clf.n_iter_ == 10
    clf.set_params(max_iter=20)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_IRIS, Y_IRIS)
    assert clf.n_iter_ == 20


# -- verbose -----------------------------------------------------------------------


def test_verbose_prints_every_epoch():
    """sklearn: test_verbose_sgd.

    Adapted: scikit-learn prints "Iteration N, loss = ..."; skmlp documents
    its own line per epoch, "Epoch N: train loss ...", for fit and partial_fit,
    and ends a fit (not a partial_fit call) with the reason it stopped.
    """
    X, y = [[3, 2], [1, 6]], [1, 0]
    clf = MLPLayerClassifier(solver="sgd", max_iter=2, verbose=10, hidden_layer_sizes=2)
    out = io.StringIO()
    with redirect_stdout(out):
        fit_quietly(clf, X, y)
        clf.partial_fit(X, y)
    lines = out.getvalue().splitlines()
    assert lines.pop(2) == "Reached max_iter=2 epochs. Stopping."
    assert [line.split(":")[0] for line in lines] == ["Epoch 1", "Epoch 2", "Epoch 3"]
    assert all("loss" in line for line in lines)

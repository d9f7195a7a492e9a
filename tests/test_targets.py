"""Targets: binary and multilabel classification laid out as scikit-learn's MLP lays them out."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_breast_cancer, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skmlp import MLPLayerClassifier
from skmlp.layers import Linear, LogisticOutput, ReLU, SoftmaxOutput

FAST = dict(hidden_layer_sizes=(8,), max_iter=30, learning_rate_init=0.01, random_state=0)


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X)[::3], y[::3]


@pytest.fixture(scope="module")
def multilabel():
    return make_multilabel_classification(n_samples=200, n_classes=4, random_state=0)


def _quiet_fit(model, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(*args)


def test_binary_uses_one_logistic_unit_like_sklearn(cancer):
    X, y = cancer
    labels = np.where(y == 1, "benign", "malignant")
    ours = _quiet_fit(MLPLayerClassifier(**FAST), X, labels)
    theirs = _quiet_fit(MLPClassifier(**FAST), X, labels)
    for model in (ours, theirs):
        assert model.n_outputs_ == 1
        assert model.out_activation_ == "logistic"
        assert model.coefs_[-1].shape == (8, 1)
        assert model.predict_proba(X).shape == (len(X), 2)
    assert_array_equal(ours.classes_, theirs.classes_)
    proba = ours.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(ours.predict(X), ours.classes_[proba.argmax(axis=1)])
    assert set(ours.predict(X)) <= {"benign", "malignant"}


def test_binary_model_is_sklearns_model_under_lbfgs(cancer):
    # the same initial weights, loss and gradient: L-BFGS follows the same path
    X, y = cancer
    ours = MLPLayerClassifier(solver="lbfgs", random_state=0).fit(X, y)
    theirs = MLPClassifier(solver="lbfgs", random_state=0).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-6, atol=1e-9)


def test_binary_log_proba_is_finite_where_a_probability_rounds_to_one(cancer):
    X, y = cancer
    model = MLPLayerClassifier(solver="lbfgs", random_state=0).fit(X, y)
    far = X[:3] * 1e3  # saturates the logistic unit
    log_proba = model.predict_log_proba(far)
    assert np.isfinite(log_proba).all()
    assert_allclose(np.exp(log_proba), model.predict_proba(far), atol=1e-12)


def test_a_custom_softmax_stack_keeps_two_outputs_for_a_binary_problem(cancer):
    X, y = cancer
    layers = [Linear(8), ReLU(), Linear(), SoftmaxOutput()]
    model = _quiet_fit(MLPLayerClassifier(layers=layers, **FAST), X, y)
    assert model.n_outputs_ == 2
    assert model.out_activation_ == "softmax"
    assert model.predict_proba(X).shape == (len(X), 2)
    assert model.score(X, y) > 0.9


def test_a_logistic_output_stack_gives_one_unit_for_two_classes(cancer):
    X, y = cancer
    layers = [Linear(8), ReLU(), Linear(), LogisticOutput()]
    model = _quiet_fit(MLPLayerClassifier(layers=layers, **FAST), X, y)
    assert model.n_outputs_ == 1
    assert model.score(X, y) > 0.9


def test_binary_early_stopping_holds_out_a_stratified_share(cancer):
    X, y = cancer
    model = MLPLayerClassifier(
        early_stopping=True, validation_fraction=0.25, max_iter=5, random_state=0
    )
    _quiet_fit(model, X, y)
    assert len(model.validation_scores_) == model.n_iter_
    assert 0 <= model.best_validation_score_ <= 1


def test_multilabel_trains_sigmoid_outputs_and_predicts_indicators(multilabel):
    X, Y = multilabel
    model = _quiet_fit(
        MLPLayerClassifier(hidden_layer_sizes=(20,), max_iter=300, random_state=0), X, Y
    )
    assert model.n_outputs_ == 4
    assert model.out_activation_ == "logistic"
    assert_array_equal(model.classes_, np.arange(4))
    predicted = model.predict(X)
    assert predicted.shape == Y.shape
    assert set(np.unique(predicted)) <= {0, 1}
    proba = model.predict_proba(X)
    assert proba.shape == Y.shape
    assert_array_equal(predicted, (proba > 0.5).astype(int))
    # score is the subset accuracy, as for sklearn's MLPClassifier
    assert model.score(X, Y) == pytest.approx(np.mean((predicted == Y).all(axis=1)))
    theirs = _quiet_fit(MLPClassifier(hidden_layer_sizes=(20,), max_iter=300, random_state=0), X, Y)
    assert model.score(X, Y) >= theirs.score(X, Y) - 0.02


def test_multilabel_matches_sklearn_under_lbfgs(multilabel):
    X, Y = multilabel
    ours = MLPLayerClassifier(solver="lbfgs", max_iter=50, random_state=0)
    theirs = MLPClassifier(solver="lbfgs", max_iter=50, random_state=0)
    _quiet_fit(ours, X, Y)
    _quiet_fit(theirs, X, Y)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-5)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-5, atol=1e-8)


def test_multilabel_partial_fit_and_early_stopping(multilabel):
    X, Y = multilabel
    model = MLPLayerClassifier(hidden_layer_sizes=(10,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        model.partial_fit(X, Y)
    for _ in range(3):
        model.partial_fit(X, Y, classes=np.arange(4))
    assert model.predict(X).shape == Y.shape
    stopped = MLPLayerClassifier(
        hidden_layer_sizes=(10,), early_stopping=True, max_iter=5, random_state=0
    )
    _quiet_fit(stopped, X, Y)
    assert len(stopped.validation_loss_curve_) == stopped.n_iter_


def test_multilabel_under_a_softmax_stack_is_refused(multilabel):
    X, Y = multilabel
    layers = [Linear(5), ReLU(), Linear(), SoftmaxOutput()]
    model = MLPLayerClassifier(layers=layers)
    with pytest.raises(ValueError, match="LogisticOutput"):
        model.fit(X, Y)
    assert not hasattr(model, "classes_")


def test_warm_start_cannot_switch_between_multilabel_and_labels(multilabel):
    X, Y = multilabel
    model = _quiet_fit(MLPLayerClassifier(max_iter=2, warm_start=True, random_state=0), X, Y)
    with pytest.raises(ValueError, match="warm_start=False"):
        model.fit(X, Y[:, 0])


def test_continuous_and_multioutput_multiclass_targets_are_refused(rng):
    X = rng.normal(size=(10, 2))
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPLayerClassifier().fit(X, rng.normal(size=10))
    with pytest.raises(ValueError, match="multiclass-multioutput"):
        MLPLayerClassifier().fit(X, rng.randint(0, 3, (10, 2)))


@pytest.mark.parametrize("weighted", [False, True])
def test_r2_equals_sklearns_r2_score(weighted, rng):
    from sklearn.metrics import r2_score

    from skmlp._targets import r2

    Y, P = rng.normal(size=(30, 3)), rng.normal(size=(30, 3))
    w = rng.uniform(size=30) if weighted else None
    assert r2(Y, P, w) == pytest.approx(r2_score(Y, P, sample_weight=w))
    constant = np.column_stack([np.ones(30), Y[:, 0]])
    exact = np.column_stack([np.ones(30), P[:, 0]])
    assert r2(constant, exact, w) == pytest.approx(r2_score(constant, exact, sample_weight=w))
    assert r2(constant, constant, w) == 1.0
    assert np.isnan(r2(Y[:1], P[:1]))

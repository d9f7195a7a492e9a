"""class_weight: the row weights times their class's weight, as compute_sample_weight gives them."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from skmlp import MLPLayerClassifier, MLPLayerRegressor

FAST = dict(hidden_layer_sizes=(8,), max_iter=15, batch_size=32, random_state=0)
WEIGHTS = ["balanced", {0: 3.0, 1: 0.5, 7: 2.0}]


def fit_quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


@pytest.fixture(scope="module")
def imbalanced(tiny_digits):
    """Digits with classes 0-4 cut to a fifth: unequal class counts."""
    X, y = tiny_digits
    keep = (y >= 5) | (np.arange(len(y)) % 5 == 0)
    return X[keep], y[keep]


def assert_same_model(a, b):
    for W_a, W_b in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(W_a, W_b)
    assert a.loss_curve_ == b.loss_curve_
    assert a.n_iter_ == b.n_iter_


@pytest.mark.parametrize("class_weight", WEIGHTS)
@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"early_stopping": True, "n_iter_no_change": 3, "learning_rate_init": 0.05},
        {"solver": "lbfgs"},
        {"solver": "sgd"},
    ],
    ids=["adam", "early_stopping", "lbfgs", "sgd"],
)
def test_class_weight_is_compute_sample_weight_bit_for_bit(imbalanced, class_weight, settings):
    X, y = imbalanced
    weighted = fit_quietly(MLPLayerClassifier(**FAST, **settings, class_weight=class_weight), X, y)
    by_rows = fit_quietly(
        MLPLayerClassifier(**FAST, **settings),
        X,
        y,
        sample_weight=compute_sample_weight(class_weight, y),
    )
    assert_same_model(weighted, by_rows)
    if settings.get("early_stopping"):  # the hold-out's loss is weighted the same way
        assert weighted.validation_loss_curve_ == by_rows.validation_loss_curve_
        assert weighted.best_epoch_ == by_rows.best_epoch_
    plain = fit_quietly(MLPLayerClassifier(**FAST, **settings), X, y)
    assert not np.array_equal(plain.coefs_[0], weighted.coefs_[0])  # the weights matter


def test_class_weight_multiplies_sample_weight(imbalanced):
    X, y = imbalanced
    sw = np.linspace(0.2, 2.0, len(y))
    weighted = fit_quietly(
        MLPLayerClassifier(**FAST, class_weight="balanced"), X, y, sample_weight=sw
    )
    by_rows = fit_quietly(
        MLPLayerClassifier(**FAST), X, y, sample_weight=sw * compute_sample_weight("balanced", y)
    )
    assert_same_model(weighted, by_rows)


def test_binary_class_weight(imbalanced):
    X, y = imbalanced
    y = np.where(y == 9, "nine", "other")
    weighted = fit_quietly(MLPLayerClassifier(**FAST, class_weight={"nine": 4.0}), X, y)
    by_rows = fit_quietly(
        MLPLayerClassifier(**FAST), X, y, sample_weight=compute_sample_weight({"nine": 4.0}, y)
    )
    assert_same_model(weighted, by_rows)


def test_balanced_weights_favour_the_rare_classes(imbalanced):
    X, y = imbalanced
    plain = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    balanced = fit_quietly(MLPLayerClassifier(**FAST, class_weight="balanced"), X, y)
    assert balanced.predict_proba(X)[:, :5].sum() > plain.predict_proba(X)[:, :5].sum()
    assert (balanced.predict(X) < 5).sum() >= (plain.predict(X) < 5).sum()


@pytest.mark.parametrize("class_weight", WEIGHTS)
def test_x_val_rows_are_weighted_by_class_too(imbalanced, class_weight):
    X, y = imbalanced
    X_val, y_val = X[::3], y[::3]
    weighted = fit_quietly(
        MLPLayerClassifier(**FAST, class_weight=class_weight), X, y, X_val=X_val, y_val=y_val
    )
    per_class = compute_class_weight(class_weight, classes=np.unique(y), y=y)
    by_rows = fit_quietly(
        MLPLayerClassifier(**FAST),
        X,
        y,
        sample_weight=compute_sample_weight(class_weight, y),
        X_val=X_val,
        y_val=y_val,
        sample_weight_val=per_class[np.searchsorted(np.unique(y), y_val)],
    )
    assert_same_model(weighted, by_rows)
    assert weighted.validation_loss_curve_ == by_rows.validation_loss_curve_


def test_partial_fit_takes_a_dict_but_not_balanced(imbalanced):
    X, y = imbalanced
    class_weight = {0: 3.0, 9: 0.5}
    first = y != 0  # a chunk without class 0: the dict still applies to the others
    weighted = MLPLayerClassifier(**FAST, class_weight=class_weight)
    weighted.partial_fit(X[first], y[first], classes=np.arange(10))
    weighted.partial_fit(X, y)
    by_rows = MLPLayerClassifier(**FAST)
    sw = np.array([class_weight.get(label, 1.0) for label in y])
    by_rows.partial_fit(X[first], y[first], sample_weight=sw[first], classes=np.arange(10))
    by_rows.partial_fit(X, y, sample_weight=sw)
    assert_same_model(weighted, by_rows)
    with pytest.raises(ValueError, match="'balanced' is not supported by partial_fit"):
        MLPLayerClassifier(**FAST, class_weight="balanced").partial_fit(X, y, classes=np.arange(10))


def test_multilabel_class_weight_is_refused(imbalanced):
    X, y = imbalanced
    Y = np.column_stack([y % 2, y > 4])
    clf = MLPLayerClassifier(**FAST, class_weight="balanced")
    with pytest.raises(ValueError, match="not supported for multilabel"):
        clf.fit(X, Y)
    assert not hasattr(clf, "classes_")
    fit_quietly(MLPLayerClassifier(**FAST), X, Y)  # without class weights it fits


def test_bad_class_weights_are_refused(imbalanced):
    X, y = imbalanced
    with pytest.raises(InvalidParameterError, match="class_weight"):
        MLPLayerClassifier(class_weight="auto").fit(X, y)
    with pytest.raises(ValueError, match="not in class"):
        MLPLayerClassifier(**FAST, class_weight={42: 2.0}).fit(X, y)


def test_regressor_has_no_class_weight():
    assert "class_weight" in MLPLayerClassifier().get_params()
    assert "class_weight" not in MLPLayerRegressor().get_params()
    assert "class_weight :" in MLPLayerClassifier.__doc__
    assert "class_weight :" not in MLPLayerRegressor.__doc__

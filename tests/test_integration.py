"""What a scikit-learn user writes: pipelines, searches, cross-validation, the tutorial task."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPLayerClassifier
from skmlp.datasets import TUTORIAL_PARAMS, load_tutorial_digits

#: The defaults are scikit-learn's: like MLPClassifier, 200 Adam epochs at a
#: tolerance of 1e-4 often end on max_iter on these small data sets.
quiet_defaults = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@quiet_defaults
def test_pipeline_with_scaler(tiny_digits):
    X, y = tiny_digits
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", MLPLayerClassifier(random_state=0))])
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.9
    assert pipe.predict_proba(X).shape == (300, 10)
    assert pipe.named_steps["mlp"].n_iter_ > 1


def test_grid_search_in_parallel(tiny_digits):
    X, y = tiny_digits
    grid = GridSearchCV(
        MLPLayerClassifier(max_iter=30, random_state=0),
        {"hidden_layer_sizes": [(10,), (20, 20)], "learning_rate_init": [0.1, 0.5]},
        cv=3,
        n_jobs=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.7
    assert grid.best_estimator_.n_iter_ >= 1
    sequential = clone(grid).set_params(n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sequential.fit(X, y)
    np.testing.assert_array_equal(
        grid.cv_results_["mean_test_score"], sequential.cv_results_["mean_test_score"]
    )


@quiet_defaults
def test_cross_val_score(tiny_digits):
    X, y = tiny_digits
    scores = cross_val_score(MLPLayerClassifier(activation="relu", random_state=0), X, y, cv=3)
    assert scores.shape == (3,)
    assert scores.mean() > 0.8


@quiet_defaults
def test_clone_and_pickle_of_a_fitted_model(tiny_digits):
    X, y = tiny_digits
    clf = MLPLayerClassifier(random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict(X), clf.predict(X))
    fresh = clone(clf)
    assert fresh.get_params() == clf.get_params()
    assert not hasattr(fresh, "classes_")
    np.testing.assert_array_equal(fresh.fit(X, y).predict_proba(X), clf.predict_proba(X))


def test_partial_fit_streaming_learns(tiny_digits):
    X, y = tiny_digits
    clf = MLPLayerClassifier(activation="relu", random_state=0)
    for _ in range(20):
        for start in range(0, 300, 100):
            clf.partial_fit(X[start : start + 100], y[start : start + 100], classes=np.arange(10))
    assert clf.n_iter_ == 1  # the latest call's epochs, as in scikit-learn
    assert len(clf.loss_curve_) == 60
    assert clf.t_ == 20 * 300
    assert clf.score(X, y) > 0.9


def test_tutorial_task_accuracy():
    """The tutorial's 60/20/20 digits split, raw pixels: >= 95% mean test accuracy."""
    accuracies = []
    for seed in range(5):
        X_fit, X_test, y_fit, y_test = load_tutorial_digits(random_state=seed)
        clf = MLPLayerClassifier(**TUTORIAL_PARAMS, random_state=seed).fit(X_fit, y_fit)
        assert clf.n_iter_ < clf.max_iter  # stopped early, on the validation loss
        accuracies.append(clf.score(X_test, y_test))
    assert np.mean(accuracies) >= 0.95, accuracies


@quiet_defaults  # on both sides
@pytest.mark.parametrize("load", [load_iris, load_wine, load_breast_cancer])
def test_defaults_match_sklearn_on_small_data(load):
    """In a scaler pipeline, at most 1 point below sklearn's default MLPClassifier."""
    X, y = load(return_X_y=True)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    ours = cross_val_score(
        make_pipeline(StandardScaler(), MLPLayerClassifier(random_state=0)), X, y, cv=cv
    )
    theirs = cross_val_score(
        make_pipeline(StandardScaler(), MLPClassifier(random_state=0)), X, y, cv=cv
    )
    assert ours.mean() >= theirs.mean() - 0.01, (ours.mean(), theirs.mean())

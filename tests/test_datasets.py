"""The tutorial's digits split and network settings."""

import math

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier

from skmlp import MLPLayerClassifier
from skmlp.datasets import TUTORIAL_PARAMS, TUTORIAL_SKLEARN_PARAMS, load_tutorial_digits


def test_tutorial_split_is_80_20_stratified_and_reproducible():
    X_fit, X_test, y_fit, y_test = load_tutorial_digits(random_state=0)
    assert X_fit.shape == (1437, 64)
    assert X_test.shape == (360, 64)
    assert X_fit.max() == 16  # raw pixel values, as in the tutorial
    np.testing.assert_allclose(np.bincount(y_test) / 360, np.bincount(y_fit) / 1437, atol=0.01)
    again = load_tutorial_digits(random_state=0)
    np.testing.assert_array_equal(again[1], X_test)
    other = load_tutorial_digits(random_state=1)
    assert not np.array_equal(other[1], X_test)


def test_tutorial_split_sizes_with_the_early_stopping_fraction():
    X_fit, X_test, _, _ = load_tutorial_digits()
    n_validation = math.ceil(TUTORIAL_PARAMS["validation_fraction"] * X_fit.shape[0])
    n_total = X_fit.shape[0] + X_test.shape[0]
    assert (X_fit.shape[0] - n_validation, n_validation, X_test.shape[0]) == (1077, 360, 360)
    assert n_total == 1797
    assert X_test.shape[0] / n_total == pytest.approx(0.2, abs=0.001)


def test_tutorial_params_spell_out_the_tutorial_network():
    for params in (TUTORIAL_PARAMS, TUTORIAL_SKLEARN_PARAMS):
        assert params["hidden_layer_sizes"] == (20, 20)
        assert params["activation"] == "logistic"
        assert (params["solver"], params["learning_rate_init"], params["batch_size"]) == (
            "sgd",
            0.1,
            25,
        )
        assert params["momentum"] == params["alpha"] == 0.0
        assert params["early_stopping"] is True
        assert params["validation_fraction"] == 0.25
        # patience 7: both libraries stop after more than 6 epochs without improvement
        assert (params["n_iter_no_change"], params["max_iter"]) == (6, 300)


def test_shared_keys_agree_except_tol():
    shared = TUTORIAL_PARAMS.keys() & TUTORIAL_SKLEARN_PARAMS.keys()
    assert TUTORIAL_PARAMS.keys() - shared == {"weight_init"}
    assert TUTORIAL_SKLEARN_PARAMS.keys() == shared
    differ = {k for k in shared if TUTORIAL_PARAMS[k] != TUTORIAL_SKLEARN_PARAMS[k]}
    assert differ == {"tol"}
    # Only a strict improvement counts in both: skmlp's loss must fall, sklearn's
    # accuracy must rise by more than tol, which is below one of 360 validation rows.
    assert TUTORIAL_PARAMS["tol"] == 0.0
    assert 0 < TUTORIAL_SKLEARN_PARAMS["tol"] < 1 / 360


def test_tutorial_params_are_read_only():
    with pytest.raises(TypeError):
        TUTORIAL_PARAMS["max_iter"] = 5
    with pytest.raises(TypeError):
        TUTORIAL_SKLEARN_PARAMS["max_iter"] = 5


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_both_estimators_accept_and_keep_the_settings():
    X_fit, X_test, y_fit, y_test = load_tutorial_digits()
    ours = MLPLayerClassifier(**TUTORIAL_PARAMS, random_state=0)
    theirs = MLPClassifier(**TUTORIAL_SKLEARN_PARAMS, random_state=0)
    for estimator, params in ((ours, TUTORIAL_PARAMS), (theirs, TUTORIAL_SKLEARN_PARAMS)):
        assert {k: estimator.get_params()[k] for k in params} == dict(params)
        estimator.fit(X_fit, y_fit)  # validates every value
        assert 1 <= estimator.n_iter_ <= params["max_iter"]
        assert estimator.score(X_test, y_test) > 0.8

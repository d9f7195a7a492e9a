"""scikit-learn's estimator checks, for both estimators, on their defaults and more.

Minibatch configurations declare the two sample-weight equivalence checks as
expected failures (a repeated row lands in other minibatches than one row of
double weight), as scikit-learn does for its SGD-based estimators; lbfgs and
the one-batch configurations (the defaults, on the checks' 200 rows) run
them and must pass.

The lbfgs classifier is checked with ``alpha=0.1``: unpenalised, L-BFGS fits
the checks' separable toy data until probabilities round to exactly 0 and 1,
where two checks ask for ``predict_log_proba == log(predict_proba)`` (skmlp's
log-probabilities stay finite, computed from the logits, where the log of a
rounded zero is -inf) and for probabilities strictly between 0 and 1.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp import MLPLayerClassifier, MLPLayerRegressor, expected_failed_checks

FAST = dict(hidden_layer_sizes=(5,), max_iter=100, random_state=0)
MINIBATCH = MLPLayerClassifier(**FAST, batch_size=16)
CONFIGURATIONS = [
    MLPLayerClassifier(random_state=0),
    MLPLayerRegressor(random_state=0),
    MLPLayerClassifier(solver="lbfgs", alpha=0.1, random_state=0),
    MLPLayerRegressor(solver="lbfgs", random_state=0),
    MLPLayerClassifier(**FAST, activation="logistic", solver="sgd", learning_rate_init=0.1),
    MLPLayerClassifier(
        **FAST,
        activation="tanh",
        solver="sgd",
        learning_rate_init=0.1,
        early_stopping=True,
        validation_fraction=0.25,
    ),
    MLPLayerRegressor(**FAST, activation="tanh", solver="sgd", learning_rate_init=0.01),
    MINIBATCH,
]


def test_lbfgs_and_one_batch_configurations_run_the_sample_weight_checks():
    assert expected_failed_checks(CONFIGURATIONS[0]) == {}
    assert expected_failed_checks(CONFIGURATIONS[2]) == {}
    assert len(expected_failed_checks(MINIBATCH)) == 3  # and the class-weight check
    assert len(expected_failed_checks(CONFIGURATIONS[5])) == 2  # early stopping


@parametrize_with_checks(CONFIGURATIONS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)

"""scikit-learn's estimator checks.

Minibatch configurations declare the two sample-weight equivalence checks as
expected failures (a repeated row lands in other minibatches than one row of
double weight), as scikit-learn does for its SGD-based estimators; the
full-batch configuration, without shuffling or early stopping, runs them and
must pass.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp import MLPLayerClassifier, expected_failed_checks

FAST = dict(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
FULL_BATCH = MLPLayerClassifier(
    **FAST, batch_size="auto", shuffle=False, early_stopping=False, learning_rate_init=0.5
)
CONFIGURATIONS = [
    MLPLayerClassifier(**FAST),
    MLPLayerClassifier(**FAST, activation="relu", solver="adam", learning_rate_init=0.01),
    MLPLayerClassifier(
        **FAST, activation="tanh", early_stopping=False, momentum=0.9, nesterovs_momentum=True
    ),
    FULL_BATCH,
]


def test_full_batch_configuration_runs_the_sample_weight_checks():
    assert expected_failed_checks(FULL_BATCH) == {}
    assert len(expected_failed_checks(CONFIGURATIONS[0])) == 2


@parametrize_with_checks(CONFIGURATIONS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)

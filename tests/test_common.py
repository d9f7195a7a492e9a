"""scikit-learn's estimator checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp import MLPLayerClassifier

FAST = dict(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
CONFIGURATIONS = [
    MLPLayerClassifier(**FAST),
    MLPLayerClassifier(**FAST, activation="relu", solver="adam", learning_rate_init=0.01),
    MLPLayerClassifier(
        **FAST, activation="tanh", early_stopping=False, momentum=0.9, nesterovs_momentum=True
    ),
]


@parametrize_with_checks(CONFIGURATIONS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)

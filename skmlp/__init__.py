"""skmlp: a scikit-learn multilayer perceptron built from an explicit stack of layers."""

from skmlp import layers
from skmlp._base import expected_failed_checks
from skmlp._classifier import MLPLayerClassifier
from skmlp._gradient_check import GradientCheckResult, check_gradients
from skmlp._network import Network
from skmlp._regressor import MLPLayerRegressor

__all__ = [
    "GradientCheckResult",
    "MLPLayerClassifier",
    "MLPLayerRegressor",
    "Network",
    "check_gradients",
    "expected_failed_checks",
    "layers",
]

__version__ = "0.1.0"

"""The tutorial's data and network settings.

:func:`load_tutorial_digits` splits scikit-learn's digits as the tutorial
does. ``TUTORIAL_PARAMS`` holds the tutorial network's settings as keyword
arguments of :class:`skmlp.MLPLayerClassifier`, and
``TUTORIAL_SKLEARN_PARAMS`` the same network for
:class:`sklearn.neural_network.MLPClassifier`: a 64-20-20-10 logistic net,
plain SGD (learning rate 0.1, no momentum, no L2 penalty) on minibatches of
25 rows, early stopping on a quarter of the fit set (the tutorial's 60/20
train/validation split of the 80% left after the test fifth) after 7 epochs
without improvement, at most 300 epochs.

The estimators' own defaults are scikit-learn's (one hidden layer of 100
ReLU units trained by Adam); ``python -m skmlp``, the tutorial example and
the benchmarks' tutorial scenarios pass these settings explicitly. Every
setting is spelled out, so the two stay the tutorial's whatever the
estimators' defaults. Both are read-only mappings: copy one to change a
setting, ``{**TUTORIAL_PARAMS, "max_iter": 50}``. The shared keys have the
same values except ``tol``. skmlp monitors the validation log-loss and
counts only a strict improvement (``tol=0.0``); scikit-learn monitors the
validation accuracy and, with ``tol=0.0``, would also count an equal
accuracy as an improvement. Its ``tol=1e-4`` lies below one validation
row's share of the accuracy (1/360 on the digits), so that there, too, only
a strict improvement counts. ``weight_init`` exists in skmlp only (scikit-learn always uses
Glorot's uniform initialisation).

Examples
--------
>>> from sklearn.neural_network import MLPClassifier
>>> from skmlp import MLPLayerClassifier
>>> from skmlp.datasets import TUTORIAL_PARAMS, TUTORIAL_SKLEARN_PARAMS
>>> TUTORIAL_PARAMS["hidden_layer_sizes"], TUTORIAL_PARAMS["learning_rate_init"]
((20, 20), 0.1)
>>> ours = MLPLayerClassifier(**TUTORIAL_PARAMS, random_state=0)
>>> theirs = MLPClassifier(**TUTORIAL_SKLEARN_PARAMS, random_state=0)
>>> shorter = MLPLayerClassifier(**{**TUTORIAL_PARAMS, "max_iter": 50})
>>> shorter.max_iter
50
"""

from types import MappingProxyType

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

_SHARED = {
    "hidden_layer_sizes": (20, 20),
    "activation": "logistic",
    "solver": "sgd",
    "learning_rate": "constant",
    "learning_rate_init": 0.1,
    "momentum": 0.0,
    "nesterovs_momentum": False,
    "batch_size": 25,
    "alpha": 0.0,
    "shuffle": True,
    "early_stopping": True,
    "validation_fraction": 0.25,
    # a patience of 7 epochs: scikit-learn's rule stops after *more* than
    # n_iter_no_change epochs without improvement
    "n_iter_no_change": 6,
    "max_iter": 300,
}

#: The tutorial network: keyword arguments of :class:`skmlp.MLPLayerClassifier`.
TUTORIAL_PARAMS = MappingProxyType({**_SHARED, "tol": 0.0, "weight_init": "glorot"})

#: The same network: keyword arguments of scikit-learn's ``MLPClassifier``.
TUTORIAL_SKLEARN_PARAMS = MappingProxyType({**_SHARED, "tol": 1e-4})


def load_tutorial_digits(random_state=0):
    """Split sklearn's digits as the tutorial does: 60% train, 20% validation, 20% test.

    The validation fifth is not split off here: it is taken out of the
    returned fit set by the estimator's early stopping
    (``validation_fraction=0.25`` of the 80% fit set is 20% of the data, see
    ``TUTORIAL_PARAMS`` in :mod:`skmlp.datasets`).
    Pixel values are kept raw (0 to 16), as in the tutorial.

    Parameters
    ----------
    random_state : int or None, default=0
        Seeds the stratified split.

    Returns
    -------
    X_fit : ndarray of shape (1437, 64)
        Training plus validation images.
    X_test : ndarray of shape (360, 64)
        Test images.
    y_fit : ndarray of shape (1437,)
        Digits of ``X_fit``.
    y_test : ndarray of shape (360,)
        Digits of ``X_test``.

    Examples
    --------
    >>> from skmlp.datasets import load_tutorial_digits
    >>> X_fit, X_test, y_fit, y_test = load_tutorial_digits(random_state=0)
    >>> X_fit.shape, X_test.shape
    ((1437, 64), (360, 64))
    """
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.2, stratify=y, random_state=random_state)

"""Estimator factories for skmlp and scikit-learn with identical settings."""

import importlib
import sys

from _env import REPO_ROOT
from sklearn.neural_network import MLPClassifier

#: The library names used in the results; "gemm" is the GEMM bound.
LIBS = ("skmlp", "sklearn")


def import_skmlp():
    """Import :mod:`skmlp`, preferring the checkout this file belongs to.

    Returns
    -------
    module : module or None
        The imported package, or None if the import failed.
    message : str or None
        Why the skmlp cases are skipped, or None on success.
    """
    root = str(REPO_ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module("skmlp")
        module.MLPLayerClassifier  # noqa: B018 - fail here if it is missing
    except Exception as exc:  # any failure means: skip the skmlp cases
        return None, (f"skmlp cases SKIPPED: `import skmlp` failed ({type(exc).__name__}: {exc})")
    return module, None


def estimator_class(lib):
    """Return the classifier class of a library.

    Parameters
    ----------
    lib : {"skmlp", "sklearn"}
        Library name.

    Returns
    -------
    type
        ``skmlp.MLPLayerClassifier`` or
        :class:`sklearn.neural_network.MLPClassifier`.
    """
    if lib == "sklearn":
        return MLPClassifier
    if lib == "skmlp":
        module, message = import_skmlp()
        if module is None:
            raise ImportError(message)
        return module.MLPLayerClassifier
    raise ValueError(f"unknown library {lib!r}")


def fixed_epoch_params(epochs, **params):
    """Parameters that make either library run exactly ``epochs`` epochs.

    Early stopping is off and the training-loss criterion can never trigger
    (``n_iter_no_change > max_iter``, ``tol=0``). Both libraries then warn
    that they did not converge, which :func:`_timing.fit_quietly` silences.

    Parameters
    ----------
    epochs : int
        Number of epochs.
    **params
        Further estimator parameters (network, solver, batch size, ...).

    Returns
    -------
    dict
        Keyword arguments for either estimator.
    """
    return {
        "early_stopping": False,
        "max_iter": epochs,
        "n_iter_no_change": epochs + 1,
        "tol": 0.0,
        **params,
    }


def tutorial_params(epochs, random_state=0):
    """The tutorial network: 64-20-20-10 logistic, batch 25, plain SGD 0.1.

    Parameters
    ----------
    epochs : int
        Number of epochs to run (no early stopping).
    random_state : int, default=0
        Seed of the weights and shuffling.

    Returns
    -------
    dict
        Keyword arguments for either estimator.
    """
    return fixed_epoch_params(
        epochs,
        hidden_layer_sizes=(20, 20),
        activation="logistic",
        solver="sgd",
        learning_rate_init=0.1,
        momentum=0.0,
        nesterovs_momentum=False,
        batch_size=25,
        alpha=0.0,
        shuffle=True,
        random_state=random_state,
    )


def relu_sgd_params(epochs, hidden_layer_sizes, batch_size=256, random_state=0):
    """A ReLU network trained with plain SGD for a fixed number of epochs.

    Parameters
    ----------
    epochs : int
        Number of epochs to run (no early stopping).
    hidden_layer_sizes : tuple of int
        Widths of the hidden layers.
    batch_size : int, default=256
        Minibatch size.
    random_state : int, default=0
        Seed of the weights and shuffling.

    Returns
    -------
    dict
        Keyword arguments for either estimator.
    """
    return fixed_epoch_params(
        epochs,
        hidden_layer_sizes=tuple(hidden_layer_sizes),
        activation="relu",
        solver="sgd",
        learning_rate_init=0.01,
        momentum=0.0,
        nesterovs_momentum=False,
        batch_size=batch_size,
        alpha=0.0,
        shuffle=True,
        random_state=random_state,
    )


def factory(lib, params):
    """Return a callable building a fresh unfitted estimator.

    Parameters
    ----------
    lib : {"skmlp", "sklearn"}
        Library name.
    params : dict
        Estimator parameters.

    Returns
    -------
    callable
        ``factory(lib, params)()`` is a new estimator.
    """
    cls = estimator_class(lib)
    return lambda: cls(**params)

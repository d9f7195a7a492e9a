"""Safe persistence with skops: the types a fitted skmlp estimator is made of.

:func:`skops.io.load` builds only the types it is told to trust. A fitted
:class:`~skmlp.MLPLayerClassifier` or :class:`~skmlp.MLPLayerRegressor`
holds NumPy arrays, Python builtins and a few skmlp objects (the network,
its layers, the optimizer and its schedule, the target encoding, the
training history and the early-stopping record); :func:`trusted_types`
names those skmlp classes, plus ``numpy.dtype``, which skops does not trust
by default and which the fitted state records. Nothing here loads a file:
skmlp itself never unpickles anything.
"""

from skmlp._base import _Model
from skmlp._classifier import MLPLayerClassifier
from skmlp._network import ACTIVATIONS, Network
from skmlp._optimizers import SGD, Adam, AdaptiveSchedule, ConstantSchedule, InvScalingSchedule
from skmlp._regressor import MLPLayerRegressor
from skmlp._targets import BinaryClasses, Continuous, Indicator, OneHotClasses
from skmlp._training import EarlyStopping, History
from skmlp.layers import ExpOutput, IdentityOutput, Linear, LogisticOutput, SoftmaxOutput

__all__ = ["trusted_types"]

#: What skops reports as untrusted in a fitted estimator without being a
#: skmlp class: the dtype of the network and its parameters. skops rebuilds
#: it from an empty array of that dtype (``np.load`` without pickle).
_OTHER_TYPES = ("numpy.dtype",)


def _skmlp_classes():
    """Every skmlp class a fitted estimator's state can contain, by role."""
    estimators = [MLPLayerClassifier, MLPLayerRegressor]
    state = [_Model, Network, EarlyStopping, History]
    optimizers = [SGD, Adam, ConstantSchedule, InvScalingSchedule, AdaptiveSchedule]
    targets = [OneHotClasses, BinaryClasses, Indicator, Continuous]
    layers = [Linear, *ACTIVATIONS.values()]
    outputs = [SoftmaxOutput, LogisticOutput, IdentityOutput, ExpOutput]
    return estimators + state + optimizers + targets + layers + outputs


def _type_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def trusted_types():
    """The type names to trust when loading a fitted skmlp estimator with skops.

    Pass them to :func:`skops.io.load` (or :func:`skops.io.loads`) as
    ``trusted``. They cover every estimator fitted with the built-in layers,
    any solver, output layer and dtype, alone or inside a scikit-learn
    pipeline (scikit-learn's own transformers are trusted by skops already).
    A stack with a custom layer also needs that layer's class: add its name
    (``f"{cls.__module__}.{cls.__qualname__}"``), as
    :func:`skops.io.get_untrusted_types` reports it.

    Returns
    -------
    names : list of str
        Sorted fully qualified names: skmlp's estimators, network, layers,
        optimizers, learning-rate schedules, target encodings, history and
        early-stopping record, and ``"numpy.dtype"``, which skops does not
        trust by default.

    See Also
    --------
    skops.io.get_untrusted_types : The types a file names that skops does not trust.

    Notes
    -----
    Check a file before loading it: every name that
    ``skops.io.get_untrusted_types(file=path)`` returns should be in this
    list (or be a custom layer you wrote). A file that names any other type
    is refused by :func:`skops.io.load` with ``trusted=trusted_types()``.

    Examples
    --------
    >>> from skmlp.io import trusted_types
    >>> names = trusted_types()
    >>> "skmlp._classifier.MLPLayerClassifier" in names, "skmlp.layers.ReLU" in names
    (True, True)

    Saving and loading (needs ``pip install skops``)::

        import skops.io as sio

        sio.dump(clf, "model.skops")
        unknown = sio.get_untrusted_types(file="model.skops")
        assert set(unknown) <= set(trusted_types())  # nothing else is needed
        clf = sio.load("model.skops", trusted=trusted_types())
    """
    names = {_type_name(cls) for cls in _skmlp_classes()}
    names.update(_OTHER_TYPES)
    return sorted(names)

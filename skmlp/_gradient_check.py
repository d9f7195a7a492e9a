"""check_gradients: analytic gradients of a layer stack against central differences."""

import copy
from dataclasses import dataclass

import numpy as np

from skmlp._data import one_hot
from skmlp._losses import l2_penalty
from skmlp._network import Network
from skmlp.layers import Linear


@dataclass
class GradientCheckResult:
    """Outcome of :func:`check_gradients`.

    Attributes
    ----------
    max_relative_error : float
        Largest relative error over every checked coordinate.
    errors : list of tuple
        ``(layer_index, layer_name, param_name, max_relative_error)`` for
        every parameter array, in the network's order.
    n_checked : int
        Number of coordinates compared.
    rtol : float
        Threshold that :attr:`passed` compares against.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp import check_gradients
    >>> from skmlp.layers import Linear, SoftmaxOutput, Tanh
    >>> X = np.random.RandomState(0).normal(size=(5, 2))
    >>> result = check_gradients([Linear(3), Tanh(), Linear(), SoftmaxOutput()], X, [0, 1, 0, 1, 1])
    >>> bool(result), result.n_checked  # 2 * 3 + 3 + 3 * 2 + 2 coordinates
    (True, 17)
    >>> [(layer, param) for _, layer, param, _ in result.errors]
    [('Linear', 'coef'), ('Linear', 'intercept'), ('Linear', 'coef'), ('Linear', 'intercept')]
    """

    max_relative_error: float
    errors: list
    n_checked: int
    rtol: float

    @property
    def passed(self):
        """Whether every relative error is at most ``rtol``."""
        return bool(self.max_relative_error <= self.rtol)

    def __bool__(self):
        return self.passed


def check_gradients(
    layers,
    X,
    y,
    *,
    sample_weight=None,
    alpha=0.0,
    eps=1e-6,
    max_checks_per_param=None,
    rtol=1e-5,
    atol=1e-8,
    random_state=0,
):
    """Compare backpropagated gradients with central finite differences.

    For each parameter coordinate ``p``, the numerical derivative of the loss
    is ``(L(p + eps) - L(p - eps)) / (2 eps)``; the relative error against the
    analytic gradient ``g`` is ``|g - n| / max(|g|, |n|, atol / rtol)``, so the
    check passes when every coordinate has ``|g - n| <= max(rtol * max(|g|, |n|),
    atol)``: gradients that are nearly zero (weights of inputs that are blank
    in every checked row, say) are judged by the absolute error, since rounding
    in a central difference is about ``1e-16 * |loss| / eps``. The stack is
    deep-copied and computed in float64; the layers passed in are untouched.

    Parameters
    ----------
    layers : list of Layer or Network
        The stack to check, ending in an output layer such as
        :class:`~skmlp.layers.SoftmaxOutput`. Unbuilt stacks are built for
        ``X`` (a last :class:`~skmlp.layers.Linear` with ``n_out=None`` gets one
        output per class); built ones are checked at their current weights.
    X : array-like of shape (n_samples, n_features)
        Inputs; a few rows suffice.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Class indices ``0..n_classes-1``, or one-hot targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights of the loss.
    alpha : float, default=0.0
        L2 penalty included in the loss.
    eps : float, default=1e-6
        Finite-difference step.
    max_checks_per_param : int, default=None
        Check at most this many randomly chosen coordinates of each parameter
        array (all of them when None).
    rtol : float, default=1e-5
        Largest relative error for :attr:`GradientCheckResult.passed`.
    atol : float, default=1e-8
        Absolute error below which a coordinate always passes.
    random_state : int, default=0
        Seeds the weights of an unbuilt stack and the choice of coordinates.

    Returns
    -------
    result : GradientCheckResult
        Truthy when the check passed.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp import check_gradients
    >>> from skmlp.layers import Linear, Logistic, SoftmaxOutput
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(6, 4)), np.array([0, 1, 2, 0, 1, 2])
    >>> result = check_gradients([Linear(5), Logistic(), Linear(), SoftmaxOutput()], X, y)
    >>> result.passed
    True
    """
    rng = np.random.RandomState(random_state)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    Y = one_hot(y, int(y.max()) + 1, np.float64) if y.ndim == 1 else y.astype(np.float64)
    sw = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    network = _prepared_copy(layers, X.shape[1], Y.shape[1], rng)

    def loss():
        value = network.layers[-1].loss(network.logits(X), Y, sw)
        if alpha:
            sw_sum = X.shape[0] if sw is None else sw.sum()
            value += l2_penalty(network.coefs(), alpha, sw_sum)
        return value

    network.loss_and_grad(X, Y, sw, alpha=alpha)
    analytic = network.flat_grads.copy()
    params = network.flat_params
    errors, offset, worst, n_checked = [], 0, 0.0, 0
    for index, layer in enumerate(network.layers):
        for name, array in layer.params.items():
            coords = np.arange(array.size)
            if max_checks_per_param is not None and array.size > max_checks_per_param:
                coords = rng.choice(array.size, max_checks_per_param, replace=False)
            # A diagnostic, not a hot path: one loss evaluation per coordinate.
            err = 0.0
            for c in offset + coords:
                saved = params[c]
                params[c] = saved + eps
                upper = loss()
                params[c] = saved - eps
                lower = loss()
                params[c] = saved
                numeric = (upper - lower) / (2 * eps)
                scale = max(abs(analytic[c]), abs(numeric), atol / rtol)
                err = max(err, abs(analytic[c] - numeric) / scale)
            errors.append((index, type(layer).__name__, name, err))
            worst = max(worst, err)
            n_checked += len(coords)
            offset += array.size
    return GradientCheckResult(worst, errors, n_checked, rtol)


def _prepared_copy(layers, n_features, n_outputs, rng):
    if isinstance(layers, Network):
        network = copy.deepcopy(layers)
        network._flatten(np.float64)
        return network
    stack = copy.deepcopy(list(layers))
    linears = [layer for layer in stack if isinstance(layer, Linear)]
    if linears and linears[-1].n_out is None:
        linears[-1].n_out = n_outputs
    return Network(stack).build(n_features, rng, np.float64)

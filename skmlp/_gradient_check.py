"""check_gradients: analytic gradients of a layer stack against central differences."""

import copy
from dataclasses import dataclass, field

import numpy as np

from skmlp._losses import l2_penalty
from skmlp._network import Network, check_stack, resolve_stack
from skmlp.layers import ExpOutput, IdentityOutput


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
    non_finite : list of tuple
        ``(layer_index, layer_name, param_name, coordinate, analytic, numeric)``
        for every checked coordinate whose analytic or numerical gradient is
        NaN or infinite; any entry makes the check fail (its parameter's error
        is inf).

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
    non_finite: list = field(default_factory=list)

    @property
    def passed(self):
        """Whether every gradient is finite and every relative error at most ``rtol``."""
        return not self.non_finite and bool(self.max_relative_error <= self.rtol)

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
    in a central difference is about ``1e-16 * |loss| / eps``. A NaN or
    infinite gradient never passes and is listed in
    :attr:`GradientCheckResult.non_finite`. The stack is deep-copied and
    computed in float64; the layers passed in are untouched. An unbuilt
    stack is built (with ``random_state``); a built one (or a
    :class:`~skmlp.Network`) is checked at its current weights. The same
    checks of the layer protocol as in ``fit`` apply.

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
        Class labels of any type (non-negative integers keep their column),
        or a 2-D array of targets such as one-hot rows, multilabel
        indicators or regression targets. Under an
        :class:`~skmlp.layers.IdentityOutput` or
        :class:`~skmlp.layers.ExpOutput`, a 1-D ``y`` is one target column.
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
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array, got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinity; the gradient check needs finite inputs.")
    source = layers.layers if isinstance(layers, Network) else layers
    regression = bool(source) and isinstance(source[-1], IdentityOutput | ExpOutput)
    Y = _targets(np.reshape(y, (-1, 1)) if regression and np.ndim(y) == 1 else y, X.shape[0])
    sw = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if sw is not None and (sw.shape != (X.shape[0],) or not np.isfinite(sw).all()):
        raise ValueError("sample_weight must be a finite array of shape (n_samples,).")
    network = _prepared_copy(layers, X.shape[1], Y.shape[1], rng)
    if Y.shape[1] < network.n_out and np.ndim(y) == 1:  # a class absent from these rows
        Y = np.hstack([Y, np.zeros((Y.shape[0], network.n_out - Y.shape[1]))])
    if Y.shape[1] != network.n_out:
        raise ValueError(
            f"y has {Y.shape[1]} classes (or target columns) but the network has "
            f"{network.n_out} outputs."
        )

    def loss():
        value = network.loss(X, Y, sw)
        if alpha:
            sw_sum = X.shape[0] if sw is None else sw.sum()
            value += l2_penalty(network.coefs(), alpha, sw_sum)
        return value

    network.loss_and_grad(X, Y, sw, alpha=alpha)
    analytic = network.flat_grads.copy()
    params = network.flat_params
    errors, non_finite, offset, worst, n_checked = [], [], 0, 0.0, 0
    for index, layer in enumerate(network.layers):
        for name, array in layer.params.items():
            coords = np.arange(array.size)
            if max_checks_per_param is not None and array.size > max_checks_per_param:
                coords = rng.choice(array.size, max_checks_per_param, replace=False)
            # A diagnostic, not a hot path: one loss evaluation per coordinate.
            err = 0.0
            for c in coords:
                flat = offset + c
                saved = params[flat]
                params[flat] = saved + eps
                upper = _loss_or_nan(loss)
                params[flat] = saved - eps
                lower = _loss_or_nan(loss)
                params[flat] = saved
                numeric = (upper - lower) / (2 * eps)
                if not (np.isfinite(analytic[flat]) and np.isfinite(numeric)):
                    where = np.unravel_index(c, array.shape)
                    non_finite.append(
                        (index, type(layer).__name__, name, where, analytic[flat], numeric)
                    )
                    err = np.inf
                    continue
                scale = max(abs(analytic[flat]), abs(numeric), atol / rtol)
                err = max(err, abs(analytic[flat] - numeric) / scale)
            errors.append((index, type(layer).__name__, name, err))
            worst = max(worst, err)
            n_checked += len(coords)
            offset += array.size
    return GradientCheckResult(worst, errors, n_checked, rtol, non_finite)


def _loss_or_nan(loss):
    try:
        with np.errstate(all="ignore"):
            return loss()
    except ValueError:  # the network's output became non-finite at this step
        return np.nan


def _targets(y, n_samples):
    """One-hot targets from labels of any type, or a 2-D target array as given."""
    y = np.asarray(y)
    if y.shape[0] != n_samples:
        raise ValueError(f"y has {y.shape[0]} rows but X has {n_samples}.")
    if y.ndim == 2:
        Y = y.astype(np.float64)
        if not np.isfinite(Y).all():
            raise ValueError("y contains NaN or infinity.")
        return Y
    classes, indices = np.unique(y, return_inverse=True)
    # integer labels 0..k-1 keep their columns even when a class is absent
    if np.issubdtype(y.dtype, np.integer) and classes.min() >= 0:
        return np.eye(int(classes.max()) + 1)[y]
    return np.eye(len(classes))[indices.ravel()]


def _prepared_copy(layers, n_features, n_outputs, rng):
    """A float64 network to check: built afresh, or at the current weights of a built stack."""
    source = layers.layers if isinstance(layers, Network) else layers
    source = check_stack(source)
    built = any(layer.params for layer in source)
    if not built:
        stack = resolve_stack(source, n_outputs=n_outputs)
        return Network(stack).build(n_features, rng, np.float64)
    stack = [copy.deepcopy(layer) for layer in source]
    saved = [{key: np.array(value) for key, value in layer.params.items()} for layer in stack]
    network = Network(stack).build(n_features, rng, np.float64)
    for position, (layer, values) in enumerate(zip(network.layers, saved)):
        for key, value in values.items():
            if layer.params[key].shape != value.shape:
                raise ValueError(
                    f"layer {position} ({layer!r}): params[{key!r}] has shape {value.shape}, "
                    f"but {n_features} input features need {layer.params[key].shape}."
                )
            layer.params[key][...] = value
    return network

"""Optimizers (SGD with momentum/Nesterov, Adam) and learning-rate schedules.

Optimizers update one flat parameter vector in place from one flat gradient
vector (see :class:`~skmlp._network.Network`), so a step is a handful of
whole-array operations whatever the number of layers.

An optimizer may ask for its gradients pre-multiplied by a factor, its
``grad_scale``: backpropagation folds the factor into the small output-layer
gradient for free, and plain SGD's step shrinks to one ``params -= grads``.
Everything here is NumPy: a call into SciPy's BLAS would start a second BLAS
thread pool that competes with NumPy's for the same cores (three times slower
fits on 2 cores were measured that way).
"""

import numpy as np


class ConstantSchedule:
    """Keep the learning rate fixed.

    Parameters
    ----------
    learning_rate_init : float
        The learning rate.
    """

    def __init__(self, learning_rate_init):
        self.learning_rate_init = learning_rate_init

    def epoch_end(self, learning_rate, t):
        """Return the learning rate for the next epoch after ``t`` samples seen."""
        return learning_rate

    def on_plateau(self, learning_rate):
        """Return a reduced rate to continue with, or None to stop training."""
        return None


class InvScalingSchedule(ConstantSchedule):
    """Decay as ``learning_rate_init / t ** power_t`` (``t`` samples seen), per epoch.

    Parameters
    ----------
    learning_rate_init : float
        The initial learning rate.
    power_t : float
        The exponent of the decay.
    """

    def __init__(self, learning_rate_init, power_t):
        super().__init__(learning_rate_init)
        self.power_t = power_t

    def epoch_end(self, learning_rate, t):
        return self.learning_rate_init / (t + 1) ** self.power_t


class AdaptiveSchedule(ConstantSchedule):
    """Divide the rate by ``factor`` on a plateau instead of stopping, down to ``min_rate``.

    Parameters
    ----------
    learning_rate_init : float
        The initial learning rate.
    factor : float, default=5.0
        Divisor applied at each plateau.
    min_rate : float, default=1e-6
        Below this rate a plateau stops training.
    """

    def __init__(self, learning_rate_init, factor=5.0, min_rate=1e-6):
        super().__init__(learning_rate_init)
        self.factor = factor
        self.min_rate = min_rate

    def on_plateau(self, learning_rate):
        if learning_rate <= self.min_rate:
            return None
        return learning_rate / self.factor


def make_schedule(name, learning_rate_init, power_t=0.5):
    """Build the schedule called ``name`` ("constant", "invscaling" or "adaptive")."""
    if name == "constant":
        return ConstantSchedule(learning_rate_init)
    if name == "invscaling":
        return InvScalingSchedule(learning_rate_init, power_t)
    if name == "adaptive":
        return AdaptiveSchedule(learning_rate_init)
    raise ValueError(f"learning_rate must be 'constant', 'invscaling' or 'adaptive', got {name!r}.")


class SGD:
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    With velocity ``v`` and gradient ``g``: ``v = momentum * v - lr * g``, then
    ``p += v``, or with Nesterov ``p += momentum * v - lr * g`` (the
    formulation of scikit-learn's MLP). The step expects ``lr * g`` (see
    :attr:`grad_scale`), so plain SGD is a single in-place subtraction, as
    cheap as a BLAS ``axpy``.

    Parameters
    ----------
    n_params : int
        Length of the flat parameter vector.
    dtype : numpy.dtype
        Its dtype.
    learning_rate : float
        Step size; mutable between steps (schedules change it).
    momentum : float, default=0.0
        Momentum coefficient in ``[0, 1]``.
    nesterov : bool, default=False
        Use Nesterov's momentum.
    """

    def __init__(self, n_params, dtype, learning_rate, momentum=0.0, nesterov=False):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self._velocity = np.zeros(n_params, dtype=dtype) if momentum else None

    @property
    def grad_scale(self):
        """The factor :meth:`step` expects the gradients to carry: the learning rate."""
        return self.learning_rate

    def step(self, params, grads):
        """Update ``params`` in place from ``grads`` (both flat and contiguous).

        Parameters
        ----------
        params : ndarray of shape (n_params,)
        grads : ndarray of shape (n_params,)
            The gradient times :attr:`grad_scale`; may be overwritten.
        """
        v = self._velocity
        if v is None:
            params -= grads
            return
        v *= self.momentum
        v -= grads
        if self.nesterov:
            params -= grads
            params += np.multiply(v, self.momentum, out=grads)  # grads as scratch
        else:
            params += v


class Adam:
    """Adam (Kingma & Ba, 2014) with scikit-learn's bias-corrected step size.

    Parameters
    ----------
    n_params : int
        Length of the flat parameter vector.
    dtype : numpy.dtype
        Its dtype.
    learning_rate : float
        Base step size.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of the first and second moment estimates.
    epsilon : float, default=1e-8
        Added to the root of the second moment for stability.
    """

    def __init__(self, n_params, dtype, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self._m = np.zeros(n_params, dtype=dtype)
        self._v = np.zeros(n_params, dtype=dtype)
        self._scratch = np.empty(n_params, dtype=dtype)

    #: Adam is invariant to the scale of the gradients (but for ``epsilon``):
    #: it takes them as they are.
    grad_scale = 1.0

    def step(self, params, grads):
        """Update ``params`` in place from ``grads`` (both flat, same length).

        ``grads`` is used as scratch and is overwritten.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
        grads : ndarray of shape (n_params,)
        """
        self.t += 1
        m, v, s = self._m, self._v, self._scratch
        np.multiply(grads, grads, out=s)
        s *= 1 - self.beta_2
        v *= self.beta_2
        v += s
        grads *= 1 - self.beta_1
        m *= self.beta_1
        m += grads
        lr = self.learning_rate * np.sqrt(1 - self.beta_2**self.t) / (1 - self.beta_1**self.t)
        np.sqrt(v, out=s)
        s += self.epsilon
        np.divide(m, s, out=s)
        s *= -lr
        params += s

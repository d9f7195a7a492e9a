"""Layers: each maps a minibatch forward and its gradient backward.

A network is a list of layers. Every layer follows one small protocol:

* ``params`` and ``grads`` are dicts with the same keys (empty for
  activations). Optimizers update ``params`` in place; ``backward`` fills
  ``grads``.
* ``build(n_in, rng, dtype)`` allocates the parameters for inputs of width
  ``n_in`` and returns the output width.
* ``forward(X, training=True)`` returns the output. With ``training=True`` the
  layer may cache what ``backward`` needs and may return a view of a buffer it
  reuses on the next training call.
* ``backward(grad_out)`` receives the gradient of the loss with respect to the
  layer's output, fills ``grads`` and returns the gradient with respect to its
  input. It never changes ``params``. ``grad_out`` is scratch: ``backward`` may
  overwrite it (the built-in activations compute their gradient in place).

All arithmetic is on whole arrays. The output layer additionally owns its loss
and its prediction (see :class:`OutputLayer`).

The network checks every layer when a stack is built and on its first
minibatch: ``build`` must return a positive int, ``forward`` an ndarray of
the input's row count, the width ``build`` returned and the network's dtype,
``backward`` an ndarray of exactly the input's shape. A mistake is a
``TypeError`` or ``ValueError`` naming the layer and its position.
"""

from numbers import Integral

import numpy as np

from skmlp._kernels import logistic
from skmlp._losses import (
    binary_log_loss_from_logits,
    half_squared_error,
    log_loss_from_logits,
    log_loss_from_parts,
    log_sigmoid,
    log_softmax,
    poisson_loss_from_logits,
    residual_grad,
    sigmoid,
    softmax,
    softmax_parts,
)

__all__ = [
    "ExpOutput",
    "Identity",
    "IdentityOutput",
    "Layer",
    "Linear",
    "Logistic",
    "LogisticOutput",
    "OutputLayer",
    "ReLU",
    "SoftmaxOutput",
    "Tanh",
]


class Layer:
    """Base class of all layers: maps ``(n_samples, n_in)`` to ``(n_samples, n_out)``.

    Subclasses implement :meth:`forward` and :meth:`backward`; layers with
    parameters also override :meth:`build`. See the module docstring for the
    protocol.

    Attributes
    ----------
    params : dict of str to ndarray
        The trainable arrays, updated in place by the optimizer.
    grads : dict of str to ndarray
        Gradients of the loss with respect to ``params``, same keys and shapes,
        filled by :meth:`backward`.
    needs_input_grad : bool
        Whether :meth:`backward` must return the gradient with respect to the
        input. The network sets it to False on its first layer, whose input is
        the data, so that layer can skip the work and return None.
    overwrite_input : bool
        Whether a training-mode :meth:`forward` may write its output over its
        input. The network sets it on a layer that declares
        :attr:`can_overwrite_input` when the layer below declares
        :attr:`output_is_scratch`; the built-in activations then work in
        place on :class:`Linear`'s output, saving a buffer each.
    penalized : tuple of str
        Keys of ``params`` that the L2 penalty ``alpha`` applies to.
    output_is_scratch : bool
        Class attribute: the output is the layer's own array, read by nothing
        but the next layer (True for :class:`Linear`: a reused buffer in
        training mode, a fresh array in prediction mode).
    can_overwrite_input : bool
        Class attribute: :meth:`forward` honours :attr:`overwrite_input`.

    Notes
    -----
    Gradients arrive pre-scaled: the ``grad_out`` given to :meth:`backward`
    is the gradient of the loss times the optimizer's ``grad_scale`` (plain
    SGD's learning rate, folded into the output layer's gradient so that an
    update is one subtraction). So :meth:`backward` must be linear in
    ``grad_out`` (as every correct backward is): compute it exactly as for the
    plain gradient, and never read the magnitude of ``grad_out`` as a loss.

    A parameter-free layer object may appear more than once in a stack (each
    place gets its own copy); a layer with parameters may not (weight
    sharing is not supported).

    Examples
    --------
    A layer without parameters implements ``forward`` and ``backward``:

    >>> import numpy as np
    >>> from skmlp.layers import Layer
    >>> class Square(Layer):
    ...     def forward(self, X, *, training=True):
    ...         if training:
    ...             self.X = X
    ...         return X**2
    ...
    ...     def backward(self, grad_out):
    ...         return 2 * self.X * grad_out
    >>> layer = Square()
    >>> layer.forward(np.array([[1.0, -2.0]]))
    array([[1., 4.]])
    >>> layer.backward(np.ones((1, 2)))
    array([[ 2., -4.]])
    """

    penalized = ()
    output_is_scratch = False
    can_overwrite_input = False

    def __init__(self):
        self.params = {}
        self.grads = {}
        self.needs_input_grad = True
        self.overwrite_input = False

    def build(self, n_in, rng, dtype):
        """Allocate parameters for inputs of width ``n_in``.

        Parameters
        ----------
        n_in : int
            Number of input features.
        rng : numpy.random.RandomState
            Source of randomness for the initial weights.
        dtype : numpy.dtype
            Floating dtype of parameters and activations.

        Returns
        -------
        n_out : int
            Width of the output. The default keeps the width unchanged.
        """
        return n_in

    def forward(self, X, *, training=True):
        """Compute the output of the layer.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in)
            Input.
        training : bool, default=True
            Whether :meth:`backward` will follow; only then is anything cached.

        Returns
        -------
        out : ndarray of shape (n_samples, n_out)
        """
        raise NotImplementedError

    def backward(self, grad_out):
        """Fill ``grads`` and return the gradient with respect to the input.

        Parameters
        ----------
        grad_out : ndarray of shape (n_samples, n_out)
            Gradient of the loss with respect to the output of the last
            training-mode :meth:`forward` call. It is scratch: the layer may
            overwrite it, for example to compute ``grad_in`` in place.

        Returns
        -------
        grad_in : ndarray of shape (n_samples, n_in) or None
            Gradient with respect to the input; None is allowed when
            ``needs_input_grad`` is False.
        """
        raise NotImplementedError

    def clear(self):
        """Drop whatever the layer cached for :meth:`backward`; the default has nothing."""

    def __repr__(self):
        return f"{type(self).__name__}()"


class _Buffered:
    """Scratch buffers reused across minibatches: private machinery of the built-in layers.

    A mixin placed before :class:`Layer`. Cached activations are attributes
    whose names start with ``_cache`` (this class's own convention, dropped by
    :meth:`clear` and pickling); custom layers need none of it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._buffers = {}

    def build(self, n_in, rng, dtype):
        """Drop the buffers of an earlier build, then build as the layer does."""
        self.clear()
        return super().build(n_in, rng, dtype)

    def _buffer(self, name, n_rows, n_cols, dtype, order="C"):
        """Return an ``(n_rows, n_cols)`` scratch array reused across calls.

        Keyed by shape, dtype and memory order, so the full and the last,
        smaller minibatch of an epoch each keep their own array and a lookup
        is one dict access.
        """
        key = (name, n_rows, n_cols, dtype, order)
        buf = self._buffers.get(key)
        if buf is None:
            if len(self._buffers) > 64:  # many different shapes: start afresh
                self._buffers.clear()
            buf = self._buffers[key] = np.empty((n_rows, n_cols), dtype=dtype, order=order)
        return buf

    #: ``(n_rows, buffers)`` of the last minibatch size; see :meth:`_scratch`.
    #: A class default, so that :meth:`clear` and pickling reset it.
    _cache_scratch = (None, ())

    def _scratch(self, n_rows):
        """Return this layer's scratch buffers for minibatches of ``n_rows`` rows.

        Built by :meth:`_make_scratch` and kept until the row count changes
        (twice an epoch at most: the full minibatches and the last one), so
        the hot path pays one comparison instead of a lookup per buffer.
        """
        cached = self._cache_scratch
        if cached[0] != n_rows:
            cached = self._cache_scratch = (n_rows, self._make_scratch(n_rows))
        return cached[1]

    def _make_scratch(self, n_rows):
        """Return the tuple of buffers :meth:`_scratch` caches (none by default)."""
        return ()

    def _ones(self, n, dtype):
        """Return a cached vector of ``n`` ones."""
        key = ("ones", n, dtype)
        ones = self._buffers.get(key)
        if ones is None:
            ones = self._buffers[key] = np.ones(n, dtype=dtype)
        return ones

    def clear(self):
        """Drop cached activations and scratch buffers (they are rebuilt on demand)."""
        self._buffers = {}
        for attr in [a for a in vars(self) if a.startswith("_cache")]:
            delattr(self, attr)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_buffers"] = {}
        for attr in [a for a in state if a.startswith("_cache")]:
            del state[attr]
        return state


class Linear(_Buffered, Layer):
    """Affine map ``X @ coef + intercept``.

    Forward: ``out = X W + b``. Backward, with ``G = grad_out``:
    ``dW = X.T G``, ``db = sum_rows(G)``, ``grad_in = G W.T``.

    Parameters
    ----------
    n_out : int or None, default=None
        Output width. None means "as many as there are classes", which is only
        meaningful for the last linear layer of a classifier.
    init : {"glorot", "normal"}, default="glorot"
        Initial weights. ``"glorot"``: uniform in ``±gain * sqrt(6 / (n_in +
        n_out))`` for both ``coef`` and ``intercept`` (scikit-learn's scheme).
        ``"normal"``: ``coef`` drawn from ``N(0, 0.1**2)`` and a zero
        ``intercept``, as in the tutorial this package comes from.
    gain : float, default=1.0
        Scale of the Glorot bound; ``sqrt(1/3)`` gives the bound
        ``sqrt(2 / (n_in + n_out))`` recommended before logistic units.

    Attributes
    ----------
    params : dict
        ``"coef"`` of shape (n_in, n_out) and ``"intercept"`` of shape (n_out,).

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp.layers import Linear
    >>> layer = Linear(3)
    >>> layer.build(2, np.random.RandomState(0), np.float64)
    3
    >>> layer.params["coef"].shape, layer.params["intercept"].shape
    ((2, 3), (3,))
    >>> layer.forward(np.ones((4, 2))).shape
    (4, 3)
    >>> grad_in = layer.backward(np.ones((4, 3)))
    >>> grad_in.shape, layer.grads["intercept"]
    ((4, 2), array([4., 4., 4.]))
    """

    penalized = ("coef",)
    output_is_scratch = True
    _grads_in_place = True  # backward writes into grads; the network need not copy

    # Bias folding, arranged by the network for a Linear -> in-place activation
    # -> Linear chain (see Network._fold_biases): the lower Linear writes its
    # output into the first columns of a buffer whose last column is ones
    # (``_pad_output``), the activation overwrites them in place, and the
    # upper Linear multiplies the whole buffer by ``[coef; intercept]``, the
    # two parameters' adjacent storage seen as one matrix (``_folded``): one
    # product instead of a product and a bias pass forward, and one instead
    # of a product and a row sum backward.
    _pad_output = False
    _pad_order = "F"  # memory order of the padded buffer (Network._fold_biases picks it)
    _padded_source = None
    _folded = None

    def __init__(self, n_out=None, *, init="glorot", gain=1.0):
        super().__init__()
        _check_n_out(n_out)
        self.n_out = n_out
        self.init = init
        self.gain = gain

    def build(self, n_in, rng, dtype):
        """Draw the initial ``coef`` and ``intercept``; return ``n_out``."""
        self.clear()
        n_out = _check_n_out(self.n_out)  # again: n_out may have been set since
        if n_out is None:
            raise ValueError(
                "Linear(None) means one output per class: only the last Linear of a "
                "classifier's stack may leave n_out unset."
            )
        n_out = int(n_out)
        if self.init == "glorot":
            bound = self.gain * np.sqrt(6.0 / (n_in + n_out))
            coef = rng.uniform(-bound, bound, (n_in, n_out))
            intercept = rng.uniform(-bound, bound, n_out)
        elif self.init == "normal":
            coef = rng.standard_normal((n_in, n_out)) * 0.1
            intercept = np.zeros(n_out)
        else:
            raise ValueError(f"init must be 'glorot' or 'normal', got {self.init!r}.")
        self.params = {
            "coef": coef.astype(dtype, copy=False),
            "intercept": intercept.astype(dtype, copy=False),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        return n_out

    def forward(self, X, *, training=True):
        coef, intercept = self.params["coef"], self.params["intercept"]
        if not training:
            out = X @ coef
            out += intercept
            return out
        self._cache_X = X
        scratch = self._scratch(X.shape[0])
        if self._folded is not None:  # X is the first columns of the source's padded buffer
            padded = self._padded_source._cache_padded
            return np.matmul(padded, self._folded[0], out=scratch[0])
        out = scratch[0]
        if isinstance(X, np.ndarray):
            np.matmul(X, coef, out=out)
        else:  # scipy sparse input: the product is dense
            out[...] = X @ coef
        out += intercept
        return out

    def _make_scratch(self, n_rows):
        n_in, n_out = self.params["coef"].shape
        dtype = self.params["coef"].dtype
        if self._pad_output:
            padded = self._buffer("padded", n_rows, n_out + 1, dtype, self._pad_order)
            padded[:, n_out] = 1.0
            self._cache_padded = padded
            out = padded[:, :n_out]
        else:
            out = self._buffer("out", n_rows, n_out, dtype)
        # the gradient at a folded input meets the activation's output: same order
        order = self._padded_source._pad_order if self._folded is not None else "C"
        grad_in = None
        if self.needs_input_grad:
            grad_in = self._buffer("grad_in", n_rows, n_in, dtype, order)
        return (out, grad_in, self._ones(n_rows, dtype))

    def backward(self, grad_out):
        X = self._cache_X
        grads = self.grads
        _, grad_in, ones = self._scratch(grad_out.shape[0])
        if self._folded is not None:  # both gradients from one product
            np.matmul(self._padded_source._cache_padded.T, grad_out, out=self._folded[1])
        elif isinstance(X, np.ndarray):
            np.matmul(X.T, grad_out, out=grads["coef"])
            # ones @ G sums the rows through BLAS, several times cheaper than add.reduce
            np.dot(ones, grad_out, out=grads["intercept"])
        else:
            grads["coef"][...] = X.T @ grad_out
            np.dot(ones, grad_out, out=grads["intercept"])
        if not self.needs_input_grad:
            return None
        if grad_in is None:  # needs_input_grad was switched on after the buffers were made
            grad_in = self._buffer("grad_in", grad_out.shape[0], X.shape[1], grad_out.dtype)
        coef = self.params["coef"]
        if coef.shape[1] == 1:  # an outer product: matmul would take its slow non-BLAS loop
            return np.multiply(grad_out, coef.T, out=grad_in)
        return np.matmul(grad_out, coef.T, out=grad_in)

    def __repr__(self):
        args = [repr(self.n_out)]
        if self.init != "glorot":
            args.append(f"init={self.init!r}")
        if self.gain != 1.0:
            args.append(f"gain={float(self.gain)!r}")
        return f"{type(self).__name__}({', '.join(args)})"


def _check_n_out(n_out):
    if n_out is not None and (
        isinstance(n_out, bool) or not isinstance(n_out, Integral) or n_out < 1
    ):
        raise ValueError(f"Linear's n_out must be a positive integer or None, got {n_out!r}.")
    return n_out


class _Elementwise(_Buffered, Layer):
    """An activation applied entry by entry; caches its output for ``backward``."""

    can_overwrite_input = True

    def _function(self, X, out):
        raise NotImplementedError

    def _derivative(self, Y, grad_out):
        """Return ``grad_out * f'(x)``, with ``f'`` expressed through ``Y = f(x)``.

        May overwrite and return ``grad_out``.
        """
        raise NotImplementedError

    #: dtype of the buffer ``_derivative`` works in; None: the data's.
    _derivative_dtype = None

    def forward(self, X, *, training=True):
        if not training:
            return self._function(X, np.empty_like(X))
        if self.overwrite_input:
            out = self._function(X, X)
        else:
            out = self._function(X, self._buffer("out", X.shape[0], X.shape[1], X.dtype))
        self._cache_Y = out
        return out

    def _make_scratch(self, n_rows):
        Y = self._cache_Y
        # in Y's memory order: mixing orders makes every pass a strided one
        order = "F" if Y.flags.f_contiguous and not Y.flags.c_contiguous else "C"
        dtype = self._derivative_dtype or Y.dtype
        return (self._buffer("derivative", n_rows, Y.shape[1], dtype, order),)

    def backward(self, grad_out):
        return self._derivative(self._cache_Y, grad_out)


class Logistic(_Elementwise):
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    Gradient: ``grad_in = grad_out * y * (1 - y)`` with ``y`` the output.
    Computed by the variant that is fastest for the SIMD level NumPy
    dispatches to and the array's size (a vectorised ``exp`` on large
    arrays, :func:`scipy.special.expit` on small ones, the limit set by the
    SIMD level), chosen once per process; every variant is accurate to a
    few units in the last place and never overflows or warns.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp.layers import Logistic
    >>> layer = Logistic()
    >>> layer.forward(np.array([[0.0, 2.0]]))
    array([[0.5       , 0.88079708]])
    >>> layer.backward(np.ones((1, 2)))
    array([[0.25      , 0.10499359]])
    """

    def _function(self, X, out):
        return logistic(X, out)

    def _derivative(self, Y, grad_out):
        (d,) = self._scratch(Y.shape[0])
        np.subtract(1.0, Y, out=d)
        d *= Y
        grad_out *= d
        return grad_out


class Tanh(_Elementwise):
    """Hyperbolic tangent.

    Gradient: ``grad_in = grad_out * (1 - y**2)`` with ``y`` the output.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp.layers import Tanh
    >>> layer = Tanh()
    >>> layer.forward(np.array([[0.0, 1.0]]))
    array([[0.        , 0.76159416]])
    >>> layer.backward(np.ones((1, 2)))
    array([[1.        , 0.41997434]])
    """

    def _function(self, X, out):
        return np.tanh(X, out=out)

    def _derivative(self, Y, grad_out):
        (d,) = self._scratch(Y.shape[0])
        np.multiply(Y, Y, out=d)
        np.subtract(1.0, d, out=d)
        grad_out *= d
        return grad_out


class ReLU(_Elementwise):
    """Rectified linear unit ``max(x, 0)``.

    Gradient: ``grad_in = grad_out`` where the output is positive, else 0.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp.layers import ReLU
    >>> layer = ReLU()
    >>> layer.forward(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    >>> layer.backward(np.array([[5.0, 5.0]]))
    array([[0., 5.]])
    """

    def _function(self, X, out):
        return np.maximum(X, 0.0, out=out)

    # A boolean mask has an eighth of the memory traffic of a float
    # derivative; kept in a buffer, as a fresh array of this size would be
    # mapped from the kernel (and page-faulted) anew on every minibatch.
    _derivative_dtype = np.bool_

    def _derivative(self, Y, grad_out):
        (mask,) = self._scratch(Y.shape[0])
        np.greater(Y, 0.0, out=mask)
        return np.multiply(grad_out, mask, out=grad_out)


class Identity(Layer):
    """Identity ``y = x``; gradient ``grad_in = grad_out``.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp.layers import Identity
    >>> X = np.array([[-1.0, 2.0]])
    >>> Identity().forward(X) is X
    True
    """

    def forward(self, X, *, training=True):
        return X

    def backward(self, grad_out):
        return grad_out


class OutputLayer(Layer):
    """Base class of output layers, which own the loss of the network.

    Besides the layer protocol, an output layer computes the loss and the
    gradient of the loss with respect to its *input* directly
    (:meth:`loss_gradient`), so that a fused, better conditioned formula can
    replace chaining :meth:`backward` with the loss derivative.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp.layers import OutputLayer, SoftmaxOutput
    >>> layer = SoftmaxOutput()
    >>> isinstance(layer, OutputLayer)
    True
    >>> P = layer.forward(np.array([[0.0, 0.0], [2.0, 0.0]]))
    >>> loss, grad_in = layer.loss_gradient(np.array([[1.0, 0.0], [1.0, 0.0]]))
    >>> print(f"{loss:.4f}")
    0.4100
    """

    def loss_gradient(self, Y, sample_weight=None, *, compute_loss=True, scale=1.0):
        """Loss of the last training-mode forward pass, and its input gradient.

        Parameters
        ----------
        Y : ndarray of shape (n_samples, n_outputs)
            Targets (one-hot for classification).
        sample_weight : ndarray of shape (n_samples,), default=None
            Row weights; None means all ones.
        compute_loss : bool, default=True
            When False, the loss is not computed and None is returned for it.
        scale : float, default=1.0
            Factor to multiply the gradient by (not the loss). Backpropagation
            is linear in it, so every parameter gradient carries it too: the
            optimizer's ``grad_scale``, such as SGD's learning rate.

        Returns
        -------
        loss : float or None
            Weighted mean loss of the minibatch.
        grad_in : ndarray of shape (n_samples, n_in)
            Gradient of that loss with respect to this layer's input, times
            ``scale``.
        """
        raise NotImplementedError

    def loss(self, Z, Y, sample_weight=None):
        """Weighted mean loss for inputs ``Z`` of this layer and targets ``Y``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_in)
            Inputs of this layer (the network's prediction-mode output below it).
        Y : ndarray of shape (n_samples, n_outputs)
            Targets.
        sample_weight : ndarray of shape (n_samples,), default=None
            Row weights.

        Returns
        -------
        loss : float
        """
        raise NotImplementedError

    def log_predict(self, Z):
        """Logarithm of the prediction ``forward(Z, training=False)``.

        Override with a stable formula (a log-softmax, say) when the
        prediction can round to zero.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_in)

        Returns
        -------
        log_prediction : ndarray of shape (n_samples, n_out)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.forward(Z, training=False))

    def loss_and_predict(self, Z, Y, sample_weight=None):
        """:meth:`loss` and the prediction ``forward(Z, training=False)`` together.

        What the validation of every epoch needs. Override it where both
        come from shared parts (the softmax's exponentials, say).

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_in)
        Y : ndarray of shape (n_samples, n_outputs)
        sample_weight : ndarray of shape (n_samples,), default=None

        Returns
        -------
        loss : float
        prediction : ndarray of shape (n_samples, n_out)
        """
        return self.loss(Z, Y, sample_weight), self.forward(Z, training=False)

    def _predict_owned(self, Z):
        """The prediction for ``Z``, which nothing else reads: it may be overwritten."""
        return self.forward(Z, training=False)


class SoftmaxOutput(_Buffered, OutputLayer):
    """Softmax probabilities with the cross-entropy (log-loss) as the loss.

    Forward: ``P = exp(z - max z) / sum(exp(z - max z))`` per row.
    Backward (the layer on its own): ``grad_in = P * (g - sum(g * P, axis=1))``.
    With the log-loss: ``loss_gradient`` returns the fused gradient
    ``(P - Y) * w / sum(w)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp.layers import SoftmaxOutput
    >>> layer = SoftmaxOutput()
    >>> P = layer.forward(np.array([[0.0, 0.0], [2.0, 0.0]]))
    >>> P.round(4)
    array([[0.5   , 0.5   ],
           [0.8808, 0.1192]])
    >>> loss, grad_in = layer.loss_gradient(np.array([[1.0, 0.0], [0.0, 1.0]]))
    >>> grad_in.round(4)  # (P - Y) / n_samples
    array([[-0.25  ,  0.25  ],
           [ 0.4404, -0.4404]])
    """

    def forward(self, X, *, training=True):
        if not training:
            return softmax(X)
        self._cache_Z = X
        shifted, row_sum, P, _, ones = self._scratch(X.shape[0])
        self._cache_P = softmax_parts(X, P, shifted, row_sum, ones)
        return P

    def _make_scratch(self, n_rows):
        k, dtype = self._cache_Z.shape[1], self._cache_Z.dtype
        return (
            self._buffer("shifted", n_rows, k, dtype),
            self._buffer("sum", n_rows, 1, dtype),
            self._buffer("out", n_rows, k, dtype),
            self._buffer("grad_in", n_rows, k, dtype),
            self._ones(k, dtype),
        )

    def backward(self, grad_out):
        P = self._cache_P
        inner = np.einsum("ij,ij->i", grad_out, P)[:, None]
        return P * (grad_out - inner)

    def loss_gradient(self, Y, sample_weight=None, *, compute_loss=True, scale=1.0):
        P = self._cache_P
        shifted, row_sum, _, out, _ = self._scratch(P.shape[0])
        loss = None
        if compute_loss:
            loss = log_loss_from_parts(shifted, Y, row_sum, sample_weight)
        return loss, residual_grad(P, Y, sample_weight, out=out, scale=scale)

    def loss(self, Z, Y, sample_weight=None):
        return log_loss_from_logits(Z, Y, sample_weight)

    def log_predict(self, Z):
        return log_softmax(Z)

    def loss_and_predict(self, Z, Y, sample_weight=None):
        cls = type(self)
        if cls.forward is not SoftmaxOutput.forward or cls.loss is not SoftmaxOutput.loss:
            return super().loss_and_predict(Z, Y, sample_weight)  # a subclass's own
        # one exponential serves both, with the fast row maximum and BLAS row sums
        shifted, P = np.empty_like(Z), np.empty_like(Z)
        row_sum = np.empty((Z.shape[0], 1), dtype=Z.dtype)
        softmax_parts(Z, P, shifted, row_sum, np.ones(Z.shape[1], dtype=Z.dtype))
        return log_loss_from_parts(shifted, Y, row_sum, sample_weight), P

    def _predict_owned(self, Z):
        if type(self).forward is not SoftmaxOutput.forward:  # a subclass's own prediction
            return self.forward(Z, training=False)
        return softmax(Z, out=Z)


class _CanonicalOutput(_Buffered, OutputLayer):
    """An elementwise output function with its canonical-link loss.

    The gradient of the loss at the layer's input is the residual
    ``(P - Y) * w / sum(w)`` of the prediction ``P``; subclasses give the
    function, its derivative and the loss computed from the logits.
    """

    def _function(self, Z, out):
        raise NotImplementedError

    def _loss(self, Z, Y, sample_weight):
        raise NotImplementedError

    def forward(self, X, *, training=True):
        if not training:
            return self._function(X, np.empty_like(X))
        self._cache_Z = X
        self._cache_P = self._function(X, self._buffer("out", X.shape[0], X.shape[1], X.dtype))
        return self._cache_P

    def _make_scratch(self, n_rows):
        Z = self._cache_Z
        return (self._buffer("grad_in", n_rows, Z.shape[1], Z.dtype),)

    def loss_gradient(self, Y, sample_weight=None, *, compute_loss=True, scale=1.0):
        P = self._cache_P
        (out,) = self._scratch(P.shape[0])
        loss = self._loss(self._cache_Z, Y, sample_weight) if compute_loss else None
        return loss, residual_grad(P, Y, sample_weight, out=out, scale=scale)

    def loss(self, Z, Y, sample_weight=None):
        return self._loss(Z, Y, sample_weight)

    def _predict_owned(self, Z):
        if type(self).forward is not _CanonicalOutput.forward:  # a subclass's own prediction
            return self.forward(Z, training=False)
        return self._function(Z, Z)


class LogisticOutput(_CanonicalOutput):
    """Sigmoid outputs with the binary cross-entropy, summed over the outputs.

    The output layer of binary classification (one unit: the probability of
    the second class) and of multilabel classification (one unit per label).
    Forward: ``p = 1 / (1 + exp(-z))``. Loss: ``log(1 + exp(z)) - y z`` per
    output, the cross-entropy computed from the logits so that it stays
    finite where ``p`` rounds to 0 or 1, summed over the outputs and
    averaged over the rows. ``loss_gradient`` returns the fused gradient
    ``(p - y) * w / sum(w)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp.layers import LogisticOutput
    >>> layer = LogisticOutput()
    >>> layer.forward(np.array([[0.0], [2.0]])).round(4)
    array([[0.5   ],
           [0.8808]])
    >>> loss, grad_in = layer.loss_gradient(np.array([[1.0], [0.0]]))
    >>> grad_in.round(4)  # (p - y) / n_samples
    array([[-0.25  ],
           [ 0.4404]])
    >>> print(f"{layer.loss(np.array([[-800.0]]), np.array([[1.0]])):.1f}")
    800.0
    """

    def _function(self, Z, out):
        return sigmoid(Z, out=out)

    def _loss(self, Z, Y, sample_weight):
        return binary_log_loss_from_logits(Z, Y, sample_weight)

    def backward(self, grad_out):
        P = self._cache_P
        return grad_out * P * (1.0 - P)

    def log_predict(self, Z):
        return log_sigmoid(Z)


class IdentityOutput(_CanonicalOutput):
    """Identity outputs with half the squared error, summed over the outputs.

    The output layer of least-squares regression. Forward: ``y = z``. Loss:
    ``(z - y)**2 / 2`` summed over the outputs and averaged over the rows;
    ``loss_gradient`` returns ``(z - y) * w / sum(w)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp.layers import IdentityOutput
    >>> layer = IdentityOutput()
    >>> out = layer.forward(np.array([[1.0], [3.0]]))
    >>> loss, grad_in = layer.loss_gradient(np.array([[0.0], [0.0]]))
    >>> print(loss)
    2.5
    >>> grad_in
    array([[0.5],
           [1.5]])
    """

    def _function(self, Z, out):
        if out is not Z:
            np.copyto(out, Z)
        return out

    def _loss(self, Z, Y, sample_weight):
        return half_squared_error(Z, Y, sample_weight)

    def backward(self, grad_out):
        return grad_out


class ExpOutput(_CanonicalOutput):
    """Exponential outputs with the Poisson deviance: regression of counts or rates.

    Forward: ``mu = exp(z)``, the predicted mean. Loss: half the Poisson
    deviance ``y log(y / mu) - y + mu`` per output (as scikit-learn's
    ``loss="poisson"``), computed from ``z``, summed over the outputs and
    averaged over the rows; ``loss_gradient`` returns
    ``(mu - y) * w / sum(w)``. Targets must be non-negative.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp.layers import ExpOutput
    >>> layer = ExpOutput()
    >>> mu = layer.forward(np.log(np.array([[2.0], [4.0]])))
    >>> loss, grad_in = layer.loss_gradient(np.array([[2.0], [4.0]]))
    >>> print(abs(loss) < 1e-12, abs(grad_in).max() < 1e-12)
    True True
    """

    def _function(self, Z, out):
        return np.exp(Z, out=out)

    def _loss(self, Z, Y, sample_weight):
        return poisson_loss_from_logits(Z, Y, sample_weight)

    def backward(self, grad_out):
        return grad_out * self._cache_P

    def log_predict(self, Z):
        return Z.copy()

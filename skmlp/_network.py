"""Network: an ordered stack of layers, run forward and backpropagated in reverse."""

import copy
from numbers import Integral

import numpy as np

from skmlp._losses import l2_penalty
from skmlp.layers import (
    Identity,
    Layer,
    Linear,
    Logistic,
    OutputLayer,
    ReLU,
    SoftmaxOutput,
    Tanh,
    _Elementwise,
)

ACTIVATIONS = {"identity": Identity, "logistic": Logistic, "tanh": Tanh, "relu": ReLU}

#: Glorot gain per activation: scikit-learn's bound sqrt(2 / (n_in + n_out))
#: before logistic units, sqrt(6 / (n_in + n_out)) otherwise.
_GLOROT_GAIN = {"logistic": np.sqrt(1 / 3)}

#: Rows per chunk of a prediction-mode forward pass are chosen so that one
#: chunk's widest activation holds about this many bytes: small enough that
#: the elementwise passes (bias, activation, softmax) over a chunk run from
#: the core's cache rather than from memory (a 10,000-row prediction of the
#: tutorial net 1.5x faster than in one chunk, measured on an AMD EPYC
#: with 1 MiB of L2), large enough that the matrix products stay efficient.
_CHUNK_BYTES = 2 * 2**20


#: Matrix products of at least this many weights (a lower Linear's
#: ``n_in * n_out``) write a folded chain's padded buffer row-major; smaller
#: ones column-major. See :func:`_padded_order`.
_ROW_MAJOR_FROM = 2**16


def _padded_order(lower):
    """Memory order of the padded buffer that ``lower`` (a Linear) writes its output into.

    Column-major makes the output's columns (all but the ones) one contiguous
    block, so each elementwise pass over a small minibatch is one ufunc loop
    instead of one per row (the tutorial net 13% faster per minibatch than
    row-major). On large products the BLAS kernel matters more: OpenBLAS's
    SkylakeX kernels write a row-major output up to 12% faster (784 -> 512
    on 256 rows, float64), its Haswell kernels equally fast either way, and
    rows that long make the per-row cost of the elementwise passes
    negligible. The choice depends only on the shapes, so it is the same on
    every run.
    """
    n_in, n_out = lower.params["coef"].shape
    return "C" if n_in * n_out >= _ROW_MAJOR_FROM else "F"


class Network:
    """An ordered list of layers whose parameters live in one flat array.

    After :meth:`build`, every layer's ``params[key]`` and ``grads[key]`` is a
    view into ``flat_params`` and ``flat_grads``, so an optimizer can
    update all parameters with a few whole-vector operations while each layer
    still sees its own arrays.

    Parameters
    ----------
    layers : list of Layer
        The stack, input first. The last one must be an
        :class:`~skmlp.layers.OutputLayer`.

    Attributes
    ----------
    flat_params : ndarray of shape (n_params,)
        All parameters, in layer order and, within a layer, in ``params`` order.
    flat_grads : ndarray of shape (n_params,)
        The gradients, aligned with ``flat_params``.
    n_out : int
        Output width of the network.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp import Network
    >>> from skmlp.layers import Linear, Logistic, SoftmaxOutput
    >>> rng = np.random.RandomState(0)
    >>> net = Network([Linear(4), Logistic(), Linear(2), SoftmaxOutput()])
    >>> net = net.build(3, rng, np.float64)
    >>> net.flat_params.size  # 3 * 4 + 4 + 4 * 2 + 2
    26
    >>> np.shares_memory(net.layers[0].params["coef"], net.flat_params)
    True
    >>> X, Y = rng.normal(size=(5, 3)), np.eye(2)[[0, 1, 1, 0, 1]]
    >>> loss = net.loss_and_grad(X, Y)
    >>> net.forward(X, training=False).shape
    (5, 2)
    """

    def __init__(self, layers):
        self.layers = check_stack(layers)

    def build(self, n_in, rng, dtype):
        """Allocate every layer's parameters and gather them in one flat array.

        Parameters
        ----------
        n_in : int
            Number of input features.
        rng : numpy.random.RandomState
            Randomness for the initial weights, consumed layer by layer.
        dtype : numpy.dtype
            Floating dtype of all parameters.

        Returns
        -------
        self : Network
        """
        width = n_in
        self.widths = [n_in]  # the input width of every layer, then the output's
        for position, layer in enumerate(self.layers):
            layer.needs_input_grad = True
            layer.clear()
            width = _checked_width(layer.build(width, rng, dtype), position, layer)
            self.widths.append(width)
        self.layers[0].needs_input_grad = False
        for below, layer in zip(self.layers, self.layers[1:]):
            # An output that is the lower layer's own buffer, read by nothing
            # after this layer, may be overwritten if this layer can do so.
            layer.overwrite_input = below.output_is_scratch and layer.can_overwrite_input
        self.n_out = width
        self.dtype = np.dtype(dtype)
        self._flatten(dtype)
        for position, layer in enumerate(self.layers):
            for key, value in layer.params.items():
                if not np.isfinite(value).all():
                    raise ValueError(
                        f"{_name(position, layer)}: parameter {key!r} is not finite "
                        f"in {self.dtype} (values beyond the dtype's range become inf)."
                    )
        self._unchecked = True  # the first minibatch checks every layer's output
        return self

    def _flatten(self, dtype):
        """Move all parameters into one flat array and re-point the layers at views.

        The layers' own arrays are released as they are replaced, so building
        never holds much more than one copy of the parameters and gradients.
        """
        self._below_output = self.layers[-2::-1]  # the backward order
        keys = [(layer, key) for layer in self.layers for key in layer.params]
        shapes = [layer.params[key].shape for layer, key in keys]
        sizes = [layer.params[key].size for layer, key in keys]
        for layer, key in keys:
            layer.grads[key] = None  # replaced by views below; free them first
        self.flat_params = np.empty(sum(sizes), dtype=dtype)
        offset = 0
        for (layer, key), shape, size in zip(keys, shapes, sizes):
            view = self.flat_params[offset : offset + size].reshape(shape)
            with np.errstate(over="ignore"):  # out-of-range values: refused by build
                view[...] = layer.params[key]
            layer.params[key] = view
            offset += size
        self.flat_grads = np.zeros(sum(sizes), dtype=dtype)
        offset = 0
        self._grad_slots = []
        for (layer, key), shape, size in zip(keys, shapes, sizes):
            grad_view = self.flat_grads[offset : offset + size].reshape(shape)
            layer.grads[key] = grad_view
            if not getattr(layer, "_grads_in_place", False):
                self._grad_slots.append((layer, key, grad_view))
            offset += size
        self._penalized = [
            (layer.params[key], layer.grads[key])
            for layer in self.layers
            for key in layer.penalized
        ]
        self._widest_param = max([p.shape[-1] for p in self.params() if p.ndim], default=1)
        self._fold_biases()

    def _fold_biases(self):
        """Fold the bias of every ``Linear -> in-place activation -> Linear`` chain's upper Linear.

        The flat arrays hold a Linear's ``coef`` rows and then its
        ``intercept``: together, a ``(n_in + 1, n_out)`` matrix. When the
        activation below works in place on the lower Linear's output, that
        output can live in a buffer with a last column of ones, and the upper
        Linear's forward product and both its parameter gradients each take
        one BLAS call (see :class:`~skmlp.layers.Linear`). Custom layers, and
        built-in ones whose methods a subclass overrides, are left as they are.
        """
        for layer in self.layers:
            if isinstance(layer, Linear):
                layer._pad_output, layer._padded_source, layer._folded = False, None, None
        for lower, middle, upper in zip(self.layers, self.layers[1:], self.layers[2:]):
            if not (_plain(lower, Linear) and _plain(upper, Linear)):
                continue
            if not (_plain(middle, _Elementwise) and middle.overwrite_input):
                continue
            folded = (
                _stacked(upper.params["coef"], upper.params["intercept"]),
                _stacked(upper.grads["coef"], upper.grads["intercept"]),
            )
            if folded[0] is None or folded[1] is None:
                continue
            lower._pad_output, lower._pad_order = True, _padded_order(lower)
            upper._padded_source, upper._folded = lower, folded

    def params(self):
        """Return the parameter arrays in the network's fixed order.

        Returns
        -------
        params : list of ndarray
            Views into ``flat_params``.
        """
        return [p for layer in self.layers for p in layer.params.values()]

    def grads(self):
        """Return the gradient arrays, aligned with :meth:`params`.

        Returns
        -------
        grads : list of ndarray
        """
        return [g for layer in self.layers for g in layer.grads.values()]

    def coefs(self):
        """Return the penalised weight matrices, input side first.

        Returns
        -------
        coefs : list of ndarray
        """
        return [p for p, _ in self._penalized]

    def forward(self, X, *, training=True):
        """Run ``X`` through every layer.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        training : bool, default=True
            Cache what :meth:`backward` needs.

        Returns
        -------
        out : ndarray of shape (n_samples, n_out)
        """
        for layer in self.layers:
            X = layer.forward(X, training=training)
        return X

    def _sync_grads(self):
        # A custom layer may assign a new array to grads[key] instead of writing
        # into it; copy such gradients into the flat array the optimizer reads.
        for layer, key, view in self._grad_slots:
            grads = layer.grads
            if grads[key] is not view:
                if np.shape(grads[key]) != view.shape:  # never broadcast a wrong shape
                    position = self.layers.index(layer)
                    raise ValueError(
                        f"{_name(position, layer)}: grads[{key!r}] has shape "
                        f"{np.shape(grads[key])}; expected {view.shape} like params[{key!r}]."
                    )
                view[...] = grads[key]
                grads[key] = view

    def loss_and_grad(self, X, Y, sample_weight=None, *, alpha=0.0, grad_scale=1.0):
        """Forward pass, loss, and backpropagation of its gradient for one minibatch.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The minibatch.
        Y : ndarray of shape (n_samples, n_out)
            Targets, one-hot for classification.
        sample_weight : ndarray of shape (n_samples,), default=None
            Row weights; None means all ones.
        alpha : float, default=0.0
            L2 penalty ``alpha / 2 * ||W||^2 / sum(sample_weight)`` on the
            penalised parameters (the ``coef`` of linear layers).
        grad_scale : float, default=1.0
            Factor the gradients are multiplied by, folded into the output
            layer's gradient so that it costs nothing; an optimizer's
            ``grad_scale`` (SGD's learning rate), to save it a pass over
            all gradients.

        Returns
        -------
        loss : float
            Weighted mean loss plus penalty.
            The gradients, times ``grad_scale``, are in ``flat_grads`` (and
            each layer's ``grads``).
        """
        if self._unchecked:
            return self._checked_loss_and_grad(X, Y, sample_weight, alpha, grad_scale)
        # The loops of forward() and backward(), inlined: this runs once per
        # minibatch, and small networks feel every extra call.
        out = X
        for layer in self.layers:
            out = layer.forward(out)
        loss, grad = self.layers[-1].loss_gradient(Y, sample_weight, scale=grad_scale)
        for layer in self._below_output:
            grad = layer.backward(grad)
        return self._finish_gradient(X, sample_weight, loss, alpha, grad_scale)

    def _finish_gradient(self, X, sample_weight, loss, alpha, grad_scale):
        if self._grad_slots:
            self._sync_grads()
        if alpha:
            sw_sum = X.shape[0] if sample_weight is None else float(sample_weight.sum())
            for W, dW in self._penalized:
                dW += (grad_scale * alpha / sw_sum) * W
            loss += l2_penalty(self.coefs(), alpha, sw_sum)
        return loss

    def _checked_loss_and_grad(self, X, Y, sample_weight, alpha, grad_scale):
        """:meth:`loss_and_grad` with every layer's output and gradient checked, once."""
        out = X
        for position, layer in enumerate(self.layers):
            out = layer.forward(out)
            _check_output(out, position, layer, X.shape[0], self.widths[position + 1], self.dtype)
        loss, grad = self.layers[-1].loss_gradient(Y, sample_weight, scale=grad_scale)
        last = len(self.layers) - 1
        _check_gradient(grad, last, self.layers[-1], (X.shape[0], self.widths[last]))
        for position in range(last - 1, -1, -1):
            layer = self.layers[position]
            grad = layer.backward(grad)
            if position == 0 and grad is None:
                continue
            _check_gradient(grad, position, layer, (X.shape[0], self.widths[position]))
        for position, layer in enumerate(self.layers):
            for key, value in layer.params.items():
                g = layer.grads.get(key)
                if not isinstance(g, np.ndarray) or g.shape != value.shape:
                    raise ValueError(
                        f"{_name(position, layer)}: grads[{key!r}] must be an array of "
                        f"shape {value.shape} like params[{key!r}], got "
                        f"{getattr(g, 'shape', type(g).__name__)}."
                    )
        self._unchecked = False
        return self._finish_gradient(X, sample_weight, loss, alpha, grad_scale)

    def logits(self, X):
        """Prediction-mode forward pass up to the input of the output layer.

        Large inputs are processed in chunks so that memory stays bounded by
        the output plus one chunk's activations.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_out)
        """
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported later
            return self._logits(X)

    def _logits(self, X):
        # logits() without its errstate, for a caller that has already set it
        hidden = self.layers[:-1]
        n_samples = X.shape[0]
        widest = max(X.shape[1], self._widest_param)
        chunk = max(1, _CHUNK_BYTES // (widest * self.flat_params.itemsize))
        width = self.widths[-2]
        if n_samples <= chunk:
            return self._run_checked(hidden, X, width)
        Z = np.empty((n_samples, width), dtype=self.flat_params.dtype)
        for start in range(0, n_samples, chunk):
            Z[start : start + chunk] = self._run_checked(hidden, X[start : start + chunk], width)
        return Z

    def _run_checked(self, hidden, X, width):
        error = None
        try:
            Z = _run(hidden, X)  # under the caller's errstate: overflow is reported later
        except (TypeError, ValueError) as exc:  # perhaps a wrong shape from a layer below
            Z, error = None, exc
        if not isinstance(Z, np.ndarray) or Z.shape != (X.shape[0], width):
            out = X  # the error path: find the layer at fault
            with np.errstate(over="ignore", invalid="ignore"):
                for position, layer in enumerate(hidden):
                    out = layer.forward(out, training=False)
                    n_out = self.widths[position + 1]
                    _check_output(out, position, layer, X.shape[0], n_out, None)
            if error is not None:
                raise error
            raise TypeError(  # no hidden layer at fault: the input itself is the logits
                f"The input of {_name(len(hidden), self.layers[-1])} must be an array of "
                f"shape ({X.shape[0]}, {width}), got {type(Z).__name__}."
            )
        return Z

    def predict(self, X):
        """Prediction-mode output of the whole network (probabilities for a softmax).

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        prediction : ndarray of shape (n_samples, n_out)

        Raises
        ------
        ValueError
            When the output is not finite: the input overflows the network.
        """
        output = self.layers[-1]
        with np.errstate(over="ignore", invalid="ignore"):  # non-finite: an error below
            Z = self._logits(X)
            if len(self.layers) > 1 and self.layers[-2].output_is_scratch:
                # the logits are a fresh array nothing else reads: predict in place
                prediction = output._predict_owned(Z)
            else:
                prediction = output.forward(Z, training=False)
        # one finiteness check, on the output: non-finite logits make it non-finite too
        return self._finite(prediction, X)

    def predict_log(self, X):
        """Logarithm of :meth:`predict`, from the output layer's ``log_predict``.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_prediction : ndarray of shape (n_samples, n_out)
        """
        return self.layers[-1].log_predict(self.finite_logits(X))

    def loss(self, X, Y, sample_weight=None):
        """Weighted mean loss of the output layer (no penalty) in prediction mode.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Y : ndarray of shape (n_samples, n_out)
            Targets.
        sample_weight : ndarray of shape (n_samples,), default=None

        Returns
        -------
        loss : float
        """
        return self.layers[-1].loss(self.finite_logits(X), Y, sample_weight)

    def finite_logits(self, X):
        """:meth:`logits`, or a ValueError naming the layer where they stop being finite.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_out)
            The input of the output layer, all finite.
        """
        return self._finite(self.logits(X), X)

    def _finite(self, Z, X):
        if np.isfinite(Z).all():
            return Z
        position = self._first_non_finite(X)
        where = "" if position is None else f" ({_name(position, self.layers[position])})"
        raise ValueError(
            "The network's output is not finite: the input overflows the network"
            f"{where}. Scale the input features (for instance with StandardScaler)."
        )

    def _first_non_finite(self, X):
        X = X[:1000]
        with np.errstate(all="ignore"):
            for position, layer in enumerate(self.layers):
                X = layer.forward(X, training=False)
                if not np.isfinite(X).all():
                    return position
        return None

    def __setstate__(self, state):
        # Unpickled views no longer share memory with the flat arrays: rebuild them.
        self.__dict__.update(state)
        if "flat_params" in state:
            self._flatten(self.flat_params.dtype)

    def clear(self):
        """Drop every layer's cached activations and scratch buffers."""
        for layer in self.layers:
            layer.clear()


def make_layers(hidden_layer_sizes, activation, n_out, init="glorot", output=None):
    """The standard stack: ``[Linear, activation] * n_hidden + [Linear, output]``.

    Parameters
    ----------
    hidden_layer_sizes : list of int
        Width of each hidden layer.
    activation : {"identity", "logistic", "tanh", "relu"}
        Activation after each hidden linear layer.
    n_out : int or None
        Number of outputs; None leaves it to :func:`set_output_width`.
    init : {"glorot", "normal"}, default="glorot"
        Weight initialisation of the linear layers (see :class:`~skmlp.layers.Linear`).
    output : OutputLayer, default=None
        The output layer; None means :class:`~skmlp.layers.SoftmaxOutput`.

    Returns
    -------
    layers : list of Layer
    """
    gain = _GLOROT_GAIN.get(activation, 1.0)
    layers = []
    for width in hidden_layer_sizes:
        layers += [Linear(width, init=init, gain=gain), ACTIVATIONS[activation]()]
    output = SoftmaxOutput() if output is None else output
    return [*layers, Linear(n_out, init=init, gain=gain), output]


def _plain(layer, cls):
    """Whether ``layer`` is a ``cls`` whose training-mode methods are ``cls``'s own."""
    kind = type(layer)
    return isinstance(layer, cls) and all(
        getattr(kind, name) is getattr(cls, name)
        for name in ("forward", "backward", "_make_scratch")
    )


def _stacked(coef, intercept):
    """``coef`` and ``intercept`` as one ``(n_in + 1, n_out)`` matrix if stored so, else None."""
    n_in, n_out = coef.shape
    base = coef.base
    if base is None or intercept.base is not base or not coef.flags.c_contiguous:
        return None
    start = coef.__array_interface__["data"][0]
    if intercept.__array_interface__["data"][0] != start + coef.nbytes:
        return None
    offset = (start - base.__array_interface__["data"][0]) // base.itemsize
    return base[offset : offset + (n_in + 1) * n_out].reshape(n_in + 1, n_out)


def _run(layers, X):
    for layer in layers:
        X = layer.forward(X, training=False)
    return X


def check_stack(layers):
    """Check that ``layers`` is a stack of layers ending in one output layer; return a list.

    Parameters
    ----------
    layers : list or tuple of Layer

    Returns
    -------
    layers : list of Layer

    Raises
    ------
    TypeError
        When an element is not a :class:`~skmlp.layers.Layer`.
    ValueError
        When the stack is empty, does not end in an
        :class:`~skmlp.layers.OutputLayer`, or has one elsewhere.
    """
    if not isinstance(layers, list | tuple):
        raise TypeError(f"layers must be a list of Layer objects, got {type(layers).__name__}.")
    layers = list(layers)
    for position, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(f"layer {position} ({layer!r}) is not a skmlp.layers.Layer instance.")
    if not layers or not isinstance(layers[-1], OutputLayer):
        raise ValueError(
            f"A layer stack must end with an OutputLayer such as SoftmaxOutput(); got {layers!r}."
        )
    for position, layer in enumerate(layers[:-1]):
        if isinstance(layer, OutputLayer):
            raise ValueError(
                f"{_name(position, layer)} is an OutputLayer; only the last layer may be one."
            )
    return layers


def resolve_stack(
    layers,
    *,
    hidden_layer_sizes=(100,),
    activation="relu",
    weight_init="glorot",
    output=None,
    n_outputs,
):
    """The layer objects a fit builds: a fresh, checked copy of ``layers``, or the standard stack.

    Parameters
    ----------
    layers : list of Layer or None
        A custom stack; None builds ``hidden_layer_sizes`` and ``activation``.
        The objects passed are never modified: each place in the list gets
        its own deep copy, so a parameter-free layer object placed twice
        becomes two independent layers.
    hidden_layer_sizes : int or sequence of int, default=(100,)
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
    weight_init : {"glorot", "normal"}, default="glorot"
    output : OutputLayer, default=None
        Output layer of the standard stack (None: softmax); a custom stack
        keeps its own.
    n_outputs : int or None
        Output width given to a last :class:`~skmlp.layers.Linear` whose
        ``n_out`` is None; None leaves it to :func:`set_output_width`.

    Returns
    -------
    stack : list of Layer

    Raises
    ------
    TypeError, ValueError
        For a malformed stack, a layer with parameters placed twice (weight
        sharing is not supported), or bad ``hidden_layer_sizes``.
    """
    if layers is None:
        sizes = _hidden_sizes(hidden_layer_sizes)
        return make_layers(sizes, activation, n_outputs, weight_init, output)
    layers = check_stack(layers)
    first_place = {}
    for position, layer in enumerate(layers):
        if id(layer) in first_place and _has_parameters(layer):
            raise ValueError(
                f"The same {layer!r} object is placed at positions {first_place[id(layer)]} "
                f"and {position}: weight sharing is not supported; create one layer "
                "object per place."
            )
        first_place.setdefault(id(layer), position)
    stack = [copy.deepcopy(layer) for layer in layers]
    if n_outputs is not None:
        set_output_width(stack, n_outputs)
    return stack


def set_output_width(stack, n_outputs):
    """Give the last :class:`~skmlp.layers.Linear` of ``stack`` ``n_outputs`` if its is None.

    Parameters
    ----------
    stack : list of Layer
        A stack from :func:`resolve_stack`; changed in place.
    n_outputs : int
        The width the targets need.
    """
    linears = [layer for layer in stack if isinstance(layer, Linear)]
    if linears and linears[-1].n_out is None:
        linears[-1].n_out = n_outputs


def _has_parameters(layer):
    if isinstance(layer, Linear) or layer.params or layer.penalized:
        return True
    probe = copy.deepcopy(layer)
    try:
        probe.build(2, np.random.RandomState(0), np.float64)
    except Exception:  # a layer that cannot be built for 2 inputs: assume it has weights
        return True
    return bool(probe.params)


def _hidden_sizes(hidden_layer_sizes):
    sizes = [hidden_layer_sizes] if np.ndim(hidden_layer_sizes) == 0 else list(hidden_layer_sizes)
    if not all(
        isinstance(s, Integral | np.integer) and not isinstance(s, bool) and s >= 1 for s in sizes
    ):
        raise ValueError(
            f"hidden_layer_sizes must contain positive integers, got {hidden_layer_sizes!r}."
        )
    return [int(s) for s in sizes]


def _name(position, layer):
    return f"layer {position} ({layer!r})"


def _checked_width(width, position, layer):
    if isinstance(width, bool) or not isinstance(width, Integral | np.integer) or width < 1:
        raise ValueError(
            f"{_name(position, layer)}: build returned {width!r}; it must return the "
            "output width, a positive integer."
        )
    return int(width)


def _check_output(out, position, layer, n_rows, width, dtype):
    if not isinstance(out, np.ndarray):
        raise TypeError(
            f"{_name(position, layer)}: forward returned {type(out).__name__}; it must "
            "return a NumPy array."
        )
    if out.ndim != 2 or out.shape != (n_rows, width):
        raise ValueError(
            f"{_name(position, layer)}: forward returned shape {out.shape}; expected "
            f"({n_rows}, {width}): the input's rows, and the width build returned."
        )
    if dtype is not None and out.dtype != dtype:
        raise ValueError(
            f"{_name(position, layer)}: forward returned dtype {out.dtype}; expected the "
            f"network's {dtype}."
        )


def _check_gradient(grad, position, layer, shape):
    if not isinstance(grad, np.ndarray):
        raise TypeError(
            f"{_name(position, layer)}: backward returned {type(grad).__name__}; it must "
            f"return the gradient at its input, an array of shape {shape}."
        )
    if grad.shape != shape:
        raise ValueError(
            f"{_name(position, layer)}: backward returned shape {grad.shape}; expected "
            f"{shape}, the shape of its input."
        )

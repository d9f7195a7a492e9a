"""Network: an ordered stack of layers, run forward and backpropagated in reverse."""

import numpy as np

from skmlp._losses import l2_penalty
from skmlp.layers import Identity, Linear, Logistic, OutputLayer, ReLU, SoftmaxOutput, Tanh

ACTIVATIONS = {"identity": Identity, "logistic": Logistic, "tanh": Tanh, "relu": ReLU}

#: Glorot gain per activation: scikit-learn's bound sqrt(2 / (n_in + n_out))
#: before logistic units, sqrt(6 / (n_in + n_out)) otherwise.
_GLOROT_GAIN = {"logistic": np.sqrt(1 / 3)}

#: Rows per chunk of a prediction-mode forward pass are chosen so that one
#: chunk's widest activation holds about this many bytes.
_CHUNK_BYTES = 16 * 2**20


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
        self.layers = list(layers)
        if not self.layers or not isinstance(self.layers[-1], OutputLayer):
            raise ValueError(
                "The last layer of a network must be an OutputLayer such as "
                f"SoftmaxOutput; got {self.layers[-1:]!r}."
            )

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
        for layer in self.layers:
            layer.needs_input_grad = True
            width = layer.build(width, rng, dtype)
        self.layers[0].needs_input_grad = False
        for below, layer in zip(self.layers, self.layers[1:]):
            # Linear's training output is its own buffer, read by nobody after
            # the next layer: that layer may compute in place on it.
            layer.overwrite_input = type(below) is Linear
        self.n_out = width
        self._flatten(dtype)
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
                self._grad_slots.append((layer.grads, key, grad_view))
            offset += size
        self._penalized = [
            (layer.params[key], layer.grads[key])
            for layer in self.layers
            for key in layer.penalized
        ]

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

    def backward(self, grad, *, start=None):
        """Backpropagate ``grad`` from the top of the stack to the input.

        Parameters
        ----------
        grad : ndarray of shape (n_samples, n_out)
            Gradient of the loss with respect to the output of layer ``start``.
        start : int, default=None
            Index of the layer ``grad`` belongs to; defaults to the last layer.
        """
        stop = len(self.layers) if start is None else start + 1
        for layer in reversed(self.layers[:stop]):
            grad = layer.backward(grad)
        self._sync_grads()

    def _sync_grads(self):
        # A custom layer may assign a new array to grads[key] instead of writing
        # into it; copy such gradients into the flat array the optimizer reads.
        for grads, key, view in self._grad_slots:
            if grads[key] is not view:
                view[...] = grads[key]
                grads[key] = view

    def loss_and_grad(
        self, X, Y, sample_weight=None, *, alpha=0.0, compute_loss=True, grad_scale=1.0
    ):
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
        compute_loss : bool, default=True
            When False the loss is not evaluated (the gradient is the same).
        grad_scale : float, default=1.0
            Factor the gradients are multiplied by, folded into the output
            layer's gradient so that it costs nothing; an optimizer's
            ``grad_scale`` (SGD's learning rate), to save it a pass over
            all gradients.

        Returns
        -------
        loss : float or None
            Weighted mean loss plus penalty, or None when not computed.
            The gradients, times ``grad_scale``, are in ``flat_grads`` (and
            each layer's ``grads``).
        """
        # The loops of forward() and backward(), inlined: this runs once per
        # minibatch, and small networks feel every extra call.
        out = X
        for layer in self.layers:
            out = layer.forward(out)
        loss, grad = self.layers[-1].loss_gradient(
            Y, sample_weight, compute_loss=compute_loss, scale=grad_scale
        )
        for layer in self._below_output:
            grad = layer.backward(grad)
        if self._grad_slots:
            self._sync_grads()
        if alpha:
            sw_sum = X.shape[0] if sample_weight is None else float(sample_weight.sum())
            for W, dW in self._penalized:
                dW += (grad_scale * alpha / sw_sum) * W
            if compute_loss:
                loss += l2_penalty(self.coefs(), alpha, sw_sum)
        return loss

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
        hidden = self.layers[:-1]
        n_samples = X.shape[0]
        widest = max([X.shape[1]] + [p.shape[-1] for p in self.params()])
        itemsize = self.flat_params.dtype.itemsize
        chunk = max(1, _CHUNK_BYTES // (widest * itemsize))
        if n_samples <= chunk:
            return _run(hidden, X)
        Z = np.empty((n_samples, self.n_out), dtype=self.flat_params.dtype)
        for start in range(0, n_samples, chunk):
            Z[start : start + chunk] = _run(hidden, X[start : start + chunk])
        return Z

    def __setstate__(self, state):
        # Unpickled views no longer share memory with the flat arrays: rebuild them.
        self.__dict__.update(state)
        if "flat_params" in state:
            self._flatten(self.flat_params.dtype)

    def clear(self):
        """Drop every layer's cached activations and scratch buffers."""
        for layer in self.layers:
            if hasattr(layer, "clear"):
                layer.clear()


def make_layers(hidden_layer_sizes, activation, n_out, init="glorot"):
    """The standard stack: ``[Linear, activation] * n_hidden + [Linear, SoftmaxOutput]``.

    Parameters
    ----------
    hidden_layer_sizes : list of int
        Width of each hidden layer.
    activation : {"identity", "logistic", "tanh", "relu"}
        Activation after each hidden linear layer.
    n_out : int
        Number of outputs (classes).
    init : {"glorot", "normal"}, default="glorot"
        Weight initialisation of the linear layers (see :class:`~skmlp.layers.Linear`).

    Returns
    -------
    layers : list of Layer
    """
    gain = _GLOROT_GAIN.get(activation, 1.0)
    layers = []
    for width in hidden_layer_sizes:
        layers += [Linear(width, init=init, gain=gain), ACTIVATIONS[activation]()]
    return [*layers, Linear(n_out, init=init, gain=gain), SoftmaxOutput()]


def _run(layers, X):
    for layer in layers:
        X = layer.forward(X, training=False)
    return X

"""The GEMM bound: time of only the matrix products of one training epoch."""

import itertools

import numpy as np
from _harness import Clock


class GemmEpoch:
    """The matrix products that one epoch of minibatch SGD on an MLP needs.

    Per minibatch of ``m`` rows and for layers ``i = 0 .. L-1`` with weights
    ``W[i]`` of shape ``(units[i], units[i+1])``:

    * forward: ``A[i+1] = A[i] @ W[i]`` for every layer (``A[0]`` is the
      minibatch of ``X``);
    * backward: ``dW[i] = A[i].T @ G[i+1]`` for every layer, and
      ``G[i] = G[i+1] @ W[i].T`` for every layer except the first (the
      gradient with respect to the input data is not needed).

    Everything is preallocated and written with ``out=``; biases,
    activations, the loss and the parameter update are left out. Minibatches
    are contiguous slices of ``X`` (no shuffling gather), in ``X.dtype``. The
    time of :meth:`run` is thus a lower bound for one epoch of any NumPy
    implementation using the same BLAS.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training inputs, C-contiguous; its dtype is the compute dtype.
    hidden_layer_sizes : sequence of int
        Widths of the hidden layers.
    n_outputs : int
        Width of the output layer (the number of classes).
    batch_size : int
        Minibatch size; the last minibatch may be smaller.
    seed : int, default=0
        Seed for the (irrelevant) values of weights and gradients.
    """

    def __init__(self, X, hidden_layer_sizes, n_outputs, batch_size, seed=0):
        self.X = np.ascontiguousarray(X)
        dtype = self.X.dtype
        units = [X.shape[1], *hidden_layer_sizes, n_outputs]
        self.batch_size = int(min(batch_size, X.shape[0]))
        rng = np.random.default_rng(seed)

        def filled(shape, scale=1.0):
            return (scale * rng.standard_normal(shape)).astype(dtype)

        pairs = list(itertools.pairwise(units))
        b = self.batch_size
        self.weights = [filled((n_in, n_out), n_in**-0.5) for n_in, n_out in pairs]
        self.outputs = [np.empty((b, n_out), dtype) for _, n_out in pairs]
        self.deltas = [filled((b, n_out)) for _, n_out in pairs]
        self.weight_grads = [np.empty_like(w) for w in self.weights]
        # input_grads[i] receives deltas[i] @ weights[i].T, i >= 1
        self.input_grads = [None] + [np.empty((b, n_in), dtype) for n_in, _ in pairs[1:]]

    def run(self):
        """Compute the matrix products of one epoch."""
        X, b = self.X, self.batch_size
        n_layers = len(self.weights)
        for start in range(0, X.shape[0], b):
            x = X[start : start + b]
            m = x.shape[0]
            inputs = [x] + [out[:m] for out in self.outputs[:-1]]
            for w, a, out in zip(self.weights, inputs, self.outputs, strict=True):
                np.matmul(a, w, out=out[:m])
            for i in range(n_layers - 1, -1, -1):
                g = self.deltas[i][:m]
                np.matmul(inputs[i].T, g, out=self.weight_grads[i])
                if i > 0:
                    np.matmul(g, self.weights[i].T, out=self.input_grads[i][:m])

    def sample(self, epochs=1):
        """Time ``epochs`` epochs; return a fit-like sample (:meth:`_harness.Clock.sample`)."""
        with Clock() as clock:
            for _ in range(epochs):
                self.run()
        return clock.sample(epochs)

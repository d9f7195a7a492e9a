"""
=================================================
Writing a custom layer: leaky ReLU and dropout
=================================================

A layer is a small class with a forward and a backward pass. This example
writes two, a leaky ReLU and dropout, checks the leaky ReLU's gradient with
:func:`~skmlp.check_gradients` (and watches the check catch a bug), then
trains networks using them inside a scikit-learn
:class:`~sklearn.pipeline.Pipeline`.
"""

# %%
# The leaky ReLU
# --------------
# A layer subclasses :class:`skmlp.layers.Layer` and implements two methods:
#
# * ``forward(X, *, training=True)`` returns the output. When ``training`` is
#   True a backward pass will follow, so the layer keeps what it needs for it;
#   in prediction mode it keeps nothing.
# * ``backward(grad_out)`` receives the gradient of the loss with respect to
#   the layer's output and returns the gradient with respect to its input.
#
# The leaky ReLU is ``x`` for positive ``x`` and ``slope * x`` otherwise, so its
# input gradient is ``grad_out`` where ``x > 0`` and ``slope * grad_out``
# elsewhere. What ``backward`` needs is kept under any attribute name; the
# network checks each layer's output and gradient shapes on the first
# minibatch and names the layer at fault.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPLayerClassifier, check_gradients
from skmlp.datasets import load_tutorial_digits
from skmlp.layers import Layer, Linear, SoftmaxOutput
from skmlp.plotting import TrainingCurveDisplay


class LeakyReLU(Layer):
    """``max(x, slope * x)``; gradient ``grad_out`` where ``x > 0``, else ``slope * grad_out``."""

    def __init__(self, slope=0.01):
        super().__init__()
        self.slope = slope

    def forward(self, X, *, training=True):
        positive = X > 0
        if training:
            self.positive = positive
        return np.where(positive, X, self.slope * X)

    def backward(self, grad_out):
        return np.where(self.positive, grad_out, self.slope * grad_out)


# %%
# Checking its gradient
# ---------------------
# :func:`~skmlp.check_gradients` builds a copy of a stack for the data given,
# backpropagates, and compares every parameter's gradient with central
# finite differences of the loss. The stack passes:
rng = np.random.RandomState(0)
X_small, y_small = rng.normal(size=(10, 5)), np.arange(10) % 3
stack = [Linear(8), LeakyReLU(0.1), Linear(), SoftmaxOutput()]
result = check_gradients(stack, X_small, y_small)
print(f"correct layer: max relative error {result.max_relative_error:.1e}, passed={result.passed}")


# %%
# A classic slip is to forget the slope in the backward pass. The gradients
# of the layers *below* the mistake are then wrong, and the check says so:
class BrokenLeakyReLU(LeakyReLU):
    def backward(self, grad_out):
        return np.where(self.positive, grad_out, 0.0)  # slope forgotten


broken = [Linear(8), BrokenLeakyReLU(0.1), Linear(), SoftmaxOutput()]
result = check_gradients(broken, X_small, y_small)
print(f"broken layer: max relative error {result.max_relative_error:.1e}, passed={result.passed}")
pd.DataFrame(result.errors, columns=["layer", "type", "parameter", "max relative error"])


# %%
# Dropout
# -------
# Dropout zeroes a random share ``rate`` of its inputs during training and
# scales the rest by ``1 / (1 - rate)``, so nothing changes on average; in
# prediction mode it passes its input through. It needs randomness: a layer
# receives the estimator's random state in ``build(n_in, rng, dtype)``, which
# keeps fits reproducible with ``random_state``. ``build`` returns the output
# width, here unchanged. (Layers with weights also fill ``self.params`` and
# ``self.grads`` in ``build``; see :class:`~skmlp.layers.Layer`.)
#
# Its training-mode output is random, while the finite differences of
# :func:`~skmlp.check_gradients` use the prediction-mode loss, so dropout is
# not checked that way; its backward pass is the same mask product as its
# forward pass.
class Dropout(Layer):
    """Zero a share ``rate`` of the inputs at random while training."""

    def __init__(self, rate=0.2):
        super().__init__()
        self.rate = rate

    def build(self, n_in, rng, dtype):
        self._rng = rng
        return super().build(n_in, rng, dtype)

    def forward(self, X, *, training=True):
        if not training:
            return X
        keep = self._rng.uniform(size=X.shape) >= self.rate
        self.mask = keep / (1.0 - self.rate)
        return X * self.mask

    def backward(self, grad_out):
        return grad_out * self.mask


# %%
# Training inside a pipeline
# --------------------------
# The custom layers go into ``MLPLayerClassifier(layers=...)`` like the
# built-in ones; the estimator deep-copies the list at fit time, so the same
# list can serve several models. A :class:`~sklearn.preprocessing.StandardScaler`
# in front puts the pixels on the scale ReLU-like units train well on. The
# optimizer is the default, Adam with learning rate 0.001; early stopping is
# switched on, so that each fit records a validation loss and keeps its best
# epoch.
X_fit, X_test, y_fit, y_test = load_tutorial_digits(random_state=0)
common = dict(early_stopping=True, random_state=0)
models = {
    "leaky ReLU": [Linear(64), LeakyReLU(0.1), Linear(), SoftmaxOutput()],
    "leaky ReLU + dropout": [Linear(64), LeakyReLU(0.1), Dropout(0.3), Linear(), SoftmaxOutput()],
}
pipelines = {
    name: make_pipeline(StandardScaler(), MLPLayerClassifier(layers=layers, **common))
    for name, layers in models.items()
}
rows = []
for name, pipe in pipelines.items():
    pipe.fit(X_fit, y_fit)
    clf = pipe[-1]
    rows.append(
        {
            "model": name,
            "epochs": clf.n_iter_,
            "kept epoch": clf.best_epoch_,
            "validation loss": clf.best_validation_loss_,
            "test accuracy": pipe.score(X_test, y_test),
        }
    )
pd.DataFrame(rows).set_index("model").round(3)

# %%
# Dropout makes each minibatch's loss noisier and slows the fall of the
# training loss, but keeps the network from fitting its training images much
# better than unseen ones: the gap between the training and validation
# curves stays narrower.
fig, axes = plt.subplots(2, 1, figsize=(7, 8), sharex=True, sharey=True, layout="constrained")
for ax, (name, pipe) in zip(axes, pipelines.items()):
    TrainingCurveDisplay.from_estimator(pipe, ax=ax)
    ax.set_title(name)
axes[0].set_ylim(0, 1)
plt.show()

"""
============================================
The tutorial end to end: digits with skmlp
============================================

The digits experiment of the tutorial skmlp grew out of, written with the
library: look at the data, stack the layers of a 64-20-20-10 logistic network,
check its gradients numerically, train it with minibatch SGD and early
stopping, and look at the falling losses, the test accuracy and the confusion
matrix.
"""

# %%
# The data
# --------
# scikit-learn's digits are 1797 images of 8x8 grey pixels (values 0 to 16),
# each flattened into 64 features. :func:`~skmlp.datasets.load_tutorial_digits`
# holds a stratified fifth out for testing; early stopping will take a quarter
# of the rest as its validation set, giving the tutorial's 60/20/20 split.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score

from skmlp import MLPLayerClassifier, check_gradients
from skmlp.datasets import TUTORIAL_PARAMS, load_tutorial_digits
from skmlp.layers import Linear, Logistic, SoftmaxOutput
from skmlp.plotting import ImageGridDisplay, TrainingCurveDisplay

X_fit, X_test, y_fit, y_test = load_tutorial_digits(random_state=0)
print(f"fit set: {X_fit.shape}, test set: {X_test.shape}")

display = ImageGridDisplay.from_data(X_fit, y_fit)
display.figure_.suptitle("One example of each digit")
plt.show()

# %%
# The layer stack
# ---------------
# A layer of the tutorial's network is split in two: a
# :class:`~skmlp.layers.Linear` map ``X @ coef + intercept`` and a
# :class:`~skmlp.layers.Logistic` non-linearity. The output is a last linear
# layer with one unit per class (``Linear()`` leaves the width to the data)
# followed by :class:`~skmlp.layers.SoftmaxOutput`, which turns scores into
# probabilities and owns the log-loss. ``init="normal"`` draws the initial
# weights as the tutorial does, from a normal distribution of standard
# deviation 0.1.
stack = [
    Linear(20, init="normal"),
    Logistic(),
    Linear(20, init="normal"),
    Logistic(),
    Linear(init="normal"),
    SoftmaxOutput(),
]
stack

# %%
# Checking the gradients
# ----------------------
# Before training, compare the gradients computed by backpropagation with
# central differences of the loss, ``(L(p + eps) - L(p - eps)) / (2 eps)``,
# for every parameter, on a few images scaled to [0, 1].
# :func:`~skmlp.check_gradients` works on a copy and leaves ``stack``
# untouched.
#
# The errors are relative, coordinate by coordinate, except for gradients so
# close to zero (the weights of pixels that are blank in every checked image)
# that the rounding in a central difference, about ``1e-16 / eps``, dominates:
# those are judged by their absolute error (``atol``). A wrong backward pass
# gives errors near 1 (see :ref:`sphx_glr_auto_examples_plot_custom_layer.py`).
result = check_gradients(stack, X_fit[:20] / 16, y_fit[:20])
print(f"largest relative error: {result.max_relative_error:.1e}, passed: {result.passed}")
for index, layer, name, error in result.errors:
    print(f"  layer {index} ({layer}).{name}: {error:.1e}")

# %%
# Training with early stopping
# ----------------------------
# :class:`~skmlp.MLPLayerClassifier` trains the stack with the tutorial's
# settings, :data:`~skmlp.datasets.TUTORIAL_PARAMS` (the estimator's own
# defaults are scikit-learn's: Adam on one hidden layer of 100 ReLU units):
# plain SGD with learning rate 0.1 on minibatches of 25 images, and early
# stopping on the log-loss of a held-out quarter of the fit set. Training
# stops once the validation loss has not improved for 7 epochs
# (``n_iter_no_change``), and the weights of the best epoch are restored.
# The stack given as ``layers`` replaces the ``hidden_layer_sizes`` and
# ``activation`` of the settings.
print({name: TUTORIAL_PARAMS[name] for name in ["solver", "learning_rate_init", "batch_size"]})
clf = MLPLayerClassifier(**TUTORIAL_PARAMS, layers=stack, random_state=0)
clf.fit(X_fit, y_fit)
print(f"epochs run: {clf.n_iter_}, weights kept from epoch {clf.best_epoch_}")
clf.history_.tail()

# %%
# The losses during training
# --------------------------
# Every epoch's training loss is the mean of its minibatch losses; the thin
# grey line shows those minibatch losses, scattered around it by the noise of
# stochastic gradient descent. The validation loss follows the training loss
# down, then levels off above it as the network starts to fit its training
# images more closely than new ones. The dashed line marks the epoch whose
# weights were kept.
display = TrainingCurveDisplay.from_estimator(clf)
display.ax_.set_title("Log-loss per epoch")
plt.show()

# %%
# Test accuracy and confusion matrix
# ----------------------------------
# The test fifth was never seen during training or early stopping.
y_pred = clf.predict(X_test)
print(f"test accuracy: {accuracy_score(y_test, y_pred):.1%}")

display = ConfusionMatrixDisplay.from_predictions(y_test, y_pred, colorbar=False)
display.ax_.set_title("Test digits: true against predicted")
plt.show()

# %%
# The digits the network got wrong, captioned ``true → predicted``. Several
# are hard to read even for a person.
n_errors = int(np.sum(y_pred != y_test))
display = ImageGridDisplay.from_predictions(X_test, y_test, y_pred, max_images=20)
shown = f"The {n_errors}" if n_errors <= 20 else f"20 of the {n_errors}"
display.figure_.suptitle(f"{shown} misclassified test digits")
plt.show()

"""
=====================================================
Regression with MLPLayerRegressor, against sklearn's
=====================================================

:class:`~skmlp.MLPLayerRegressor` is the regression twin of
:class:`~skmlp.MLPLayerClassifier`: the same layer stack, ending in an
:class:`~skmlp.layers.IdentityOutput` that owns the squared error. Its
parameters and defaults are those of scikit-learn's
:class:`~sklearn.neural_network.MLPRegressor`, so this example swaps one for
the other in a :class:`~sklearn.preprocessing.StandardScaler` pipeline,
compares their cross-validated R² on Friedman's first regression problem, and
plots their predictions and training losses.
"""

# %%
# The data
# --------
# :func:`~sklearn.datasets.make_friedman1` draws ten uniform features, of
# which the target depends on five, non-linearly:
# ``10 sin(pi x0 x1) + 20 (x2 - 0.5)**2 + 10 x3 + 5 x4``, plus Gaussian noise
# of standard deviation 1, which leaves about 96% of the target's variance to
# explain. A linear model explains less than three quarters of it; a network
# can learn the sine and the square.
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold, cross_validate, train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPLayerRegressor

X, y = make_friedman1(n_samples=2000, noise=1.0, random_state=0)
print(f"X: {X.shape}, y: mean {y.mean():.1f}, standard deviation {y.std():.1f}")

# %%
# The same pipeline with either network
# -------------------------------------
# Both networks run on their defaults: one hidden layer of 100 ReLU units,
# Adam with learning rate 0.001 on minibatches of 200 rows, an L2 penalty of
# 0.0001, at most 200 epochs. Neither has fully converged after 200 epochs
# here, and both say so with a
# :class:`~sklearn.exceptions.ConvergenceWarning`, silenced below; on a data
# set this small, ``solver="lbfgs"`` (full-batch L-BFGS, available in both)
# often gets further, see :ref:`lbfgs`. The pipeline step of skmlp's network
# is named ``mlplayerregressor``.
models = {
    "skmlp MLPLayerRegressor": make_pipeline(StandardScaler(), MLPLayerRegressor(random_state=0)),
    "sklearn MLPRegressor": make_pipeline(StandardScaler(), MLPRegressor(random_state=0)),
    "ridge regression": make_pipeline(StandardScaler(), RidgeCV()),
}
print(list(models["skmlp MLPLayerRegressor"].named_steps))

# %%
# Cross-validated R²
# ------------------
# Five folds, the same for every model; ``score`` of a regressor is R², the
# share of the target's variance it explains.
cv = KFold(5, shuffle=True, random_state=0)
rows = {}
for name, model in models.items():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_validate(model, X, y, cv=cv)
    rows[name] = {
        "mean R²": scores["test_score"].mean(),
        "std R²": scores["test_score"].std(),
        "mean fit seconds": scores["fit_time"].mean(),
    }
pd.DataFrame.from_dict(rows, orient="index").round(3)

# %%
# Predictions and training losses
# -------------------------------
# Fit both networks on four fifths of the data and predict the rest. With
# the same ``random_state`` they draw the same initial weights and minibatches
# and take the same Adam steps, so they end with the same weights up to
# rounding, and their cross-validated scores above agree:
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
networks = {name: models[name] for name in ["skmlp MLPLayerRegressor", "sklearn MLPRegressor"]}
for model in networks.values():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
ours, theirs = (model[-1] for model in networks.values())
difference = max(np.abs(a - b).max() for a, b in zip(ours.coefs_, theirs.coefs_))
print(f"largest difference between the weights: {difference:.1e}")

# %%
# Left: predicted against true targets of the held-out fifth (the closer to
# the diagonal the better). Right: the training loss per epoch,
# ``loss_curve_``, which is half the mean squared error plus the penalty in
# both libraries; scikit-learn's curve (dashed) lies on skmlp's.
fig, (ax_pred, ax_loss) = plt.subplots(1, 2, figsize=(9, 4.2), layout="constrained")
skmlp_model = networks["skmlp MLPLayerRegressor"]
r2 = skmlp_model.score(X_test, y_test)
ax_pred.scatter(y_test, skmlp_model.predict(X_test), s=8, alpha=0.6, label=f"skmlp (R² {r2:.3f})")
limits = [y.min(), y.max()]
ax_pred.plot(limits, limits, color="grey", linewidth=1, label="perfect prediction")
ax_pred.set_xlabel("true target")
ax_pred.set_ylabel("predicted target")
ax_pred.set_title("Held-out fifth")
ax_pred.legend(fontsize="small")
for (name, model), style in zip(networks.items(), ["-", "--"]):
    epochs = np.arange(1, model[-1].n_iter_ + 1)
    ax_loss.plot(epochs, model[-1].loss_curve_, style, linewidth=2, label=name)
ax_loss.set_yscale("log")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("training loss (half MSE + penalty)")
ax_loss.set_title("loss_curve_")
ax_loss.legend(fontsize="small")
plt.show()

# %%
# What skmlp adds
# ---------------
# The fitted regressor has scikit-learn's attributes (``coefs_``,
# ``intercepts_``, ``n_outputs_``, ``out_activation_``, ``loss_curve_``) and
# skmlp's own: the layer stack it trained and a per-epoch ``history_``.
print("layers:", ours.layers_)
print("out_activation_:", ours.out_activation_, "| n_outputs_:", ours.n_outputs_)
ours.history_.tail()

"""
===========================================================
Early stopping on the validation loss vs. on the accuracy
===========================================================

Both :class:`~skmlp.MLPLayerClassifier` and scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier` can hold out part of the
training data and stop when it stops improving. They watch different things:
skmlp monitors the validation *log-loss*, scikit-learn the validation
*accuracy*. This example trains the tutorial's network both ways and compares
the curves, where each stopped, and the test accuracy.
"""

# %%
# The same network, two monitors
# ------------------------------
# Both models are the tutorial's 64-20-20-10 logistic network trained by
# plain SGD (learning rate 0.1, minibatches of 25, no momentum, no penalty):
# :data:`~skmlp.datasets.TUTORIAL_PARAMS` for skmlp and
# :data:`~skmlp.datasets.TUTORIAL_SKLEARN_PARAMS`, the same settings, for
# scikit-learn. Both hold out a stratified quarter of the fit set, stop after
# 7 epochs without improvement and restore the weights of their best epoch.
# Both get the raw pixels (0 to 16), as in the tutorial. Only the monitored
# quantity differs, and with it ``tol``: skmlp counts any fall of the loss
# (``tol=0``), scikit-learn any rise of the accuracy by one validation image
# (``tol=1e-4``, below 1/360).
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss
from sklearn.neural_network import MLPClassifier

from skmlp import MLPLayerClassifier
from skmlp.datasets import TUTORIAL_PARAMS, TUTORIAL_SKLEARN_PARAMS, load_tutorial_digits
from skmlp.plotting import TrainingCurveDisplay

X_fit, X_test, y_fit, y_test = load_tutorial_digits(random_state=0)
pd.DataFrame({"skmlp": dict(TUTORIAL_PARAMS), "scikit-learn": dict(TUTORIAL_SKLEARN_PARAMS)})


# %%
# Train one model of each on the same fit set.
def make_models(seed):
    return {
        "skmlp (validation loss)": MLPLayerClassifier(**TUTORIAL_PARAMS, random_state=seed),
        "sklearn (validation accuracy)": MLPClassifier(
            **TUTORIAL_SKLEARN_PARAMS, random_state=seed
        ),
    }


models = make_models(0)
for model in models.values():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_fit, y_fit)

# %%
# The curves
# ----------
# Top: each model's training loss per epoch, skmlp's validation loss and
# minibatch losses, and the epoch whose weights were kept. Bottom: the
# validation accuracy of both, per epoch. The accuracy of 360 validation
# images moves in steps of 1/360 and stalls early, while the loss keeps
# falling as the network grows more confident on the images it already
# classifies correctly, so monitoring the accuracy stops sooner. (Each model
# draws its own validation quarter, so the two accuracy curves are measured on
# different images.)
fig, axes = plt.subplot_mosaic(
    [["skmlp", "sklearn"], ["accuracy", "accuracy"]], figsize=(9, 8), layout="constrained"
)
for ax, (name, model) in zip([axes["skmlp"], axes["sklearn"]], models.items()):
    TrainingCurveDisplay.from_estimator(model, ax=ax)
    ax.set_title(name)
    ax.set_ylim(0, 2.5)
ours, theirs = models.values()
ax = axes["accuracy"]
ax.plot(np.arange(1, ours.n_iter_ + 1), ours.validation_scores_, label="skmlp")
ax.plot(np.arange(1, theirs.n_iter_ + 1), theirs.validation_scores_, label="sklearn")
ax.axvline(ours.best_epoch_, color="C0", linestyle="--", linewidth=1)
ax.axvline(np.argmax(theirs.validation_scores_) + 1, color="C1", linestyle="--", linewidth=1)
ax.set_ylim(0.8, 1)
ax.set_xlabel("epoch")
ax.set_ylabel("validation accuracy")
ax.set_title("validation accuracy (dashed: kept epoch)")
ax.legend()
plt.show()

# %%
# Test accuracy over several seeds
# --------------------------------
# One run proves little: repeat with five seeds (each changes the initial
# weights, the validation split and the shuffling) and compare the epochs run,
# the test accuracy and the test log-loss.
rows = []
for seed in range(5):
    for name, model in make_models(seed).items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_fit, y_fit)
        rows.append(
            {
                "model": name,
                "seed": seed,
                "epochs run": model.n_iter_,
                "test accuracy": accuracy_score(y_test, model.predict(X_test)),
                "test log-loss": log_loss(y_test, model.predict_proba(X_test)),
            }
        )
results = pd.DataFrame(rows)
results.groupby("model")[["epochs run", "test accuracy", "test log-loss"]].agg(
    ["mean", "std"]
).round(3)

# %%
# Stopping on the loss trains longer and, on this data, ends with better
# calibrated probabilities (a lower test log-loss) and a higher test accuracy.
#
# The accuracy has a second weakness: at the start of training a logistic
# network often sits on a plateau where its predictions barely change. Its
# loss still falls slowly, but its accuracy can stay flat for more than
# ``n_iter_no_change`` epochs and stop training near chance level. Try it:
# scale the pixels to [0, 1] (``X_fit / 16``) and rerun the seeds above.
#
# The accuracy is the better monitor when the loss is misleading, for
# instance when a few mislabelled validation images dominate it. skmlp records
# both in ``history_`` (columns ``val_loss`` and ``val_accuracy``) whichever
# it monitors.

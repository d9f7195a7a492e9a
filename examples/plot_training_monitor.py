"""
====================================
Watching and steering a training run
====================================

Follow a fit epoch by epoch with scikit-learn's callbacks, stop it when you
decide, give it validation rows of your own inside a pipeline, weight rare
classes, and choose what early stopping watches (``scoring``). The callbacks
need scikit-learn 1.9 or later; see :ref:`callbacks` for the details.
"""

# %%
# Data with rare classes
# ----------------------
# The digits 0 to 4 keep only a fifth of their rows in the training set, so
# that they are rare there; the validation and test rows keep every class at
# its usual share.
import contextlib
import io

import matplotlib.pyplot as plt
import numpy as np
import sklearn
from sklearn.callback import ScoringMonitor
from sklearn.datasets import load_digits
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPLayerClassifier
from skmlp.plotting import TrainingCurveDisplay

X, y = load_digits(return_X_y=True)
X_train, y_train = X[:1000], y[:1000]
X_val, y_val, X_test, y_test = X[1000:1400], y[1000:1400], X[1400:], y[1400:]
keep = (y_train >= 5) | (np.arange(len(y_train)) % 5 == 0)
X_train, y_train = X_train[keep], y_train[keep]
print("training rows per class:", np.bincount(y_train))


# %%
# A callback that stops training
# ------------------------------
# A callback is any object with ``setup``, ``teardown``,
# ``on_fit_task_begin`` and ``on_fit_task_end``. The estimator calls the last
# one after every epoch with ``fitted_estimator``, a copy that predicts with
# that epoch's weights; returning True stops training after the epoch. This
# one stops once the balanced accuracy on the (scaled) training rows reaches
# a target. A :class:`~sklearn.callback.ScoringMonitor` logs the same score
# for every epoch.
class StopAtBalancedAccuracy:
    def __init__(self, target):
        self.target = target

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, X=None, y=None, fitted_estimator=None):
        if context.task_name != "epoch":
            return False
        return balanced_accuracy_score(y, fitted_estimator.predict(X)) >= self.target


# %%
# Validation rows through the pipeline, class weights
# ---------------------------------------------------
# ``X_val`` replaces the hold-out of early stopping. In a pipeline it must be
# scaled like ``X``: with metadata routing, the classifier requests
# ``X_val`` and ``y_val`` and ``transform_input=["X_val"]`` sends ``X_val``
# through the fitted scaler first. ``class_weight="balanced"`` weights every
# row by the inverse of its class's frequency in ``y_train``, for the
# training loss and for the validation rows alike.
def fit_pipeline(**params):
    mlp = MLPLayerClassifier((64,), early_stopping=True, random_state=0, **params)
    monitor = ScoringMonitor(scoring="balanced_accuracy")
    mlp.set_callbacks(monitor, StopAtBalancedAccuracy(0.999))
    with sklearn.config_context(enable_metadata_routing=True):
        mlp.set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)], transform_input=["X_val"])
        out = io.StringIO()
        with contextlib.redirect_stdout(out):  # keep only the verbose stop line
            pipe.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    print(f"{params}: {out.getvalue().splitlines()[-1]}")
    return pipe, monitor


weighted, monitor = fit_pipeline(class_weight="balanced", verbose=True)
unweighted, _ = fit_pipeline(verbose=True)
for name, pipe in [("class_weight='balanced'", weighted), ("no class weights", unweighted)]:
    recall = recall_score(y_test, pipe.predict(X_test), average=None)
    print(
        f"{name}: {pipe[-1].n_iter_} epochs, test recall of the rare digits 0-4 "
        f"{recall[:5].mean():.3f}, of 5-9 {recall[5:].mean():.3f}"
    )

# %%
# The training curves and the score of every epoch
# ------------------------------------------------
# ``history_`` records the loss of ``X_val`` beside the training loss, and
# :class:`~skmlp.plotting.TrainingCurveDisplay` draws both, with the epoch
# whose weights early stopping kept. The monitor's log has one row per epoch.
fig, (ax_loss, ax_score) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
TrainingCurveDisplay.from_estimator(weighted, ax=ax_loss, show_batches=False)
ax_loss.set_title("class_weight='balanced'")
log = monitor.get_logs().data_as_pandas
epochs = log[log["task_name"] == "epoch"]
ax_score.plot(
    np.arange(1, len(epochs) + 1), epochs["balanced_accuracy"], label="training rows (callback)"
)
ax_score.plot(
    weighted[-1].history_["epoch"],
    weighted[-1].history_["val_accuracy"],
    label="validation rows (history_'s class-weighted val_accuracy)",
)
ax_score.set_xlabel("epoch")
ax_score.set_ylabel("balanced accuracy")
ax_score.legend()

# %%
# What early stopping watches
# ---------------------------
# By default early stopping watches the validation loss. With
# ``scoring="balanced_accuracy"`` it watches that score of the validation
# rows instead, and restores the epoch with the highest one. The two monitors
# train alike; only when they stop, and which epoch they keep, differs. Here
# the balanced accuracy moves in steps of one row and plateaus first, while
# the loss still improves: neither monitor is always right.
X_fit = StandardScaler().fit(X_train)
Xs_train, Xs_val, Xs_test = (X_fit.transform(A) for A in (X_train, X_val, X_test))
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
histories = {}
for scoring in ["loss", "balanced_accuracy"]:
    clf = MLPLayerClassifier(
        (64,),
        learning_rate_init=0.003,
        early_stopping=True,
        n_iter_no_change=5,
        scoring=scoring,
        random_state=0,
    )
    clf.fit(Xs_train, y_train, X_val=Xs_val, y_val=y_val)
    test = balanced_accuracy_score(y_test, clf.predict(Xs_test))
    print(
        f"scoring={scoring!r}: stopped after {clf.n_iter_} epochs, kept epoch "
        f"{clf.best_epoch_}, test balanced accuracy {test:.3f}"
    )
    histories[scoring] = clf.history_
    color = "C0" if scoring == "loss" else "C1"
    ax.axvline(clf.best_epoch_, color=color, linestyle="--", label=f"kept by scoring={scoring!r}")
by_loss, by_score = histories["loss"], histories["balanced_accuracy"]
ax.plot(by_loss["epoch"], by_loss["val_loss"], color="C0", label="validation loss")
ax.set_xlabel("epoch")
ax.set_ylabel("validation loss")
ax_score = ax.twinx()
ax_score.plot(by_score["epoch"], by_score["val_score"], color="C1", label="balanced accuracy")
ax_score.set_ylabel("validation balanced accuracy")
ax.set_title("The epoch each monitor kept (dashed)")
fig.legend(loc="center right", bbox_to_anchor=(0.85, 0.5))
plt.show()

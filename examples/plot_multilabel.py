"""
=======================================
Multilabel classification with skmlp
=======================================

When every sample can carry several labels at once (the topics of an
article, the objects in a picture), the target is an indicator matrix with
one 0/1 column per label. :class:`~skmlp.MLPLayerClassifier` then trains one
logistic output unit per label, :class:`~skmlp.layers.LogisticOutput`, on the
summed binary cross-entropy, as scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier` does. This example fits both
on the same data, reads the per-label probabilities, and compares the subset
accuracy and the accuracy of each label.
"""

# %%
# An indicator target
# -------------------
# :func:`~sklearn.datasets.make_multilabel_classification` draws documents
# as word counts: 20 features, 5 labels, about two labels per document (some
# have none). ``Y`` has one column per label.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import accuracy_score, hamming_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPLayerClassifier

X, Y = make_multilabel_classification(
    n_samples=1500, n_features=20, n_classes=5, n_labels=2, random_state=0
)
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.3, random_state=0)
print(f"X: {X.shape}, Y: {Y.shape}, labels per sample: {Y.sum(axis=1).mean():.2f}")
pd.DataFrame(Y[:5], columns=[f"label {k}" for k in range(5)])

# %%
# Fitting both networks
# ---------------------
# The same pipeline for both, on their defaults except for early stopping,
# switched on here. The hold-out is a random tenth of the training rows
# (a multilabel target cannot be stratified by class). skmlp stops on the
# validation loss, the summed binary cross-entropy; scikit-learn on the
# validation subset accuracy. Both keep the weights of their best epoch.
models = {
    "skmlp": make_pipeline(
        StandardScaler(), MLPLayerClassifier(early_stopping=True, random_state=0)
    ),
    "sklearn": make_pipeline(StandardScaler(), MLPClassifier(early_stopping=True, random_state=0)),
}
for model in models.values():
    model.fit(X_train, Y_train)
clf = models["skmlp"][-1]
print(f"out_activation_: {clf.out_activation_!r}, n_outputs_: {clf.n_outputs_}")
print(f"epochs run: {clf.n_iter_}, weights kept from epoch {clf.best_epoch_}")

# %%
# Per-label probabilities
# -----------------------
# ``predict_proba`` returns one probability per label, shape
# ``(n_samples, n_labels)``: the rows need not sum to one, since the labels
# are independent yes/no questions. ``predict`` thresholds them at 0.5 and
# returns the indicator matrix.
proba = models["skmlp"].predict_proba(X_test)
print("predict_proba:", proba.shape, "| predict:", models["skmlp"].predict(X_test).shape)
pd.DataFrame(proba[:5], columns=[f"label {k}" for k in range(5)]).round(3)

# %%
# Subset accuracy and per-label accuracy
# --------------------------------------
# ``score`` of a multilabel classifier is the *subset* accuracy: a sample
# counts only when all five of its labels are right, a demanding measure.
# The Hamming loss is the share of wrong labels, and the per-label accuracy
# looks at each column on its own.
rows = {}
per_label = {}
for name, model in models.items():
    Y_pred = model.predict(X_test)
    rows[name] = {
        "subset accuracy (score)": model.score(X_test, Y_test),
        "Hamming loss": hamming_loss(Y_test, Y_pred),
        "epochs run": model[-1].n_iter_,
    }
    per_label[name] = [accuracy_score(Y_test[:, k], Y_pred[:, k]) for k in range(Y.shape[1])]
pd.DataFrame.from_dict(rows, orient="index").round(3)

# %%
# Without early stopping the two networks would be the same model: with the
# same ``random_state`` they draw the same initial weights and minibatches.
# What differs is the monitor. The subset accuracy of a tenth of the training
# rows moves in coarse steps and stopped scikit-learn's training early, while
# skmlp's validation loss kept falling for longer; here that gives skmlp the
# better score, Hamming loss and accuracy of most labels.
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
positions = np.arange(Y.shape[1])
for offset, (name, accuracies) in zip([-0.2, 0.2], per_label.items()):
    ax.bar(positions + offset, accuracies, width=0.4, label=name)
ax.set_xticks(positions, labels=[f"label {k}" for k in positions])
ax.set_ylim(0.5, 1)
ax.set_ylabel("test accuracy of the label")
ax.set_title("Per-label accuracy on the held-out 30%")
ax.legend(loc="lower right")
plt.show()

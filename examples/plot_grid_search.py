"""
=========================================
Choosing hidden sizes with a grid search
=========================================

:class:`~skmlp.MLPLayerClassifier` is an ordinary scikit-learn estimator, so
:class:`~sklearn.model_selection.GridSearchCV` can tune it. This example
searches over the hidden layer sizes, the activation and the learning rate on
the digits, shows ``cv_results_`` as a pandas table and plots the scores.
"""

# %%
# The search
# ----------
# The model is a pipeline that scales the pixels to [0, 1] before the
# network, so the parameters of the classifier are addressed as
# ``mlplayerclassifier__<name>``. The network starts from the tutorial's
# settings, :data:`~skmlp.datasets.TUTORIAL_PARAMS` (plain SGD on
# minibatches of 25, early stopping on a quarter of the training rows), with
# at most 200 epochs; the grid then varies the hidden sizes, the activation
# and the SGD learning rate. Each of the 8 candidates is fitted on three
# folds of the fit set, with early stopping inside each fit; the test fifth
# is kept for the end.
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skmlp import MLPLayerClassifier
from skmlp.datasets import TUTORIAL_PARAMS, load_tutorial_digits

X_fit, X_test, y_fit, y_test = load_tutorial_digits(random_state=0)

tutorial = {**TUTORIAL_PARAMS, "max_iter": 200}
pipe = make_pipeline(MinMaxScaler(), MLPLayerClassifier(**tutorial, random_state=0))
param_grid = {
    "mlplayerclassifier__hidden_layer_sizes": [(40,), (20, 20)],
    "mlplayerclassifier__activation": ["logistic", "relu"],
    "mlplayerclassifier__learning_rate_init": [0.1, 0.5],
}
search = GridSearchCV(
    pipe, param_grid, cv=StratifiedKFold(3, shuffle=True, random_state=0), n_jobs=2
)
search.fit(X_fit, y_fit)
print("best parameters:", search.best_params_)
print(f"best cross-validated accuracy: {search.best_score_:.3f}")
print(f"test accuracy of the refitted best model: {search.score(X_test, y_test):.3f}")

# %%
# ``cv_results_`` as a table
# --------------------------
# One row per candidate: its parameters, the mean and spread of the accuracy
# over the folds, its rank and the mean fitting time.
results = pd.DataFrame(search.cv_results_)
table = results[
    [
        "param_mlplayerclassifier__hidden_layer_sizes",
        "param_mlplayerclassifier__activation",
        "param_mlplayerclassifier__learning_rate_init",
        "mean_test_score",
        "std_test_score",
        "rank_test_score",
        "mean_fit_time",
    ]
].rename(columns=lambda c: c.removeprefix("param_mlplayerclassifier__"))
table.sort_values("rank_test_score").round(3)

# %%
# The scores in a plot
# --------------------
# One panel per activation, one line per architecture, the error bars one
# standard deviation over the folds. On these folds one hidden layer of 40
# units does better than two of 20 with either activation, and the deeper
# logistic network gains the most from the larger learning rate, with which
# it gets further in its 200 epochs. (The slowest candidates stop at
# ``max_iter`` and warn about it.)
table["hidden_layer_sizes"] = table["hidden_layer_sizes"].astype(str)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, (activation, group) in zip(axes, table.groupby("activation")):
    for sizes, line in group.groupby("hidden_layer_sizes"):
        line = line.sort_values("learning_rate_init")
        ax.errorbar(
            line["learning_rate_init"],
            line["mean_test_score"],
            yerr=line["std_test_score"],
            marker="o",
            capsize=3,
            label=f"hidden sizes {sizes}",
        )
    rates = param_grid["mlplayerclassifier__learning_rate_init"]
    ax.set_xscale("log")
    ax.set_xticks(rates, labels=[str(rate) for rate in rates], minor=False)
    ax.minorticks_off()
    ax.set_xlabel("learning_rate_init")
    ax.set_title(f"activation={activation!r}")
axes[0].set_ylabel("mean cross-validated accuracy")
axes[0].legend()
plt.show()

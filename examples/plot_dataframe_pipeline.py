"""
=====================================================
A mixed-type DataFrame through a ColumnTransformer
=====================================================

Real tables mix numbers, categories and missing values; a network needs a
matrix of numbers. A :class:`~sklearn.compose.ColumnTransformer` makes one,
and :class:`~skmlp.MLPLayerClassifier` takes it from there inside a single
pipeline that cross-validates as one estimator.
"""

# %%
# A table with categories and gaps
# --------------------------------
# scikit-learn ships no mixed-type table that needs no download, so we make
# one from the wine data (178 wines of three cultivars, 13 measurements):
# two measurements become text categories, as a survey would record them, and
# a few magnesium readings go missing.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.datasets import load_wine
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skmlp import MLPLayerClassifier

X, y = load_wine(return_X_y=True, as_frame=True)
rng = np.random.RandomState(0)
X["color"] = pd.cut(X.pop("color_intensity"), [0, 3, 6, np.inf], labels=["pale", "medium", "deep"])
X["alcohol"] = np.where(X["alcohol"] > 13, "strong", "light")
X.loc[rng.uniform(size=len(X)) < 0.1, "magnesium"] = np.nan
y = y.map(dict(enumerate(["barolo", "grignolino", "barbera"])))
print(X.dtypes.value_counts())
X.head()

# %%
# The pipeline
# ------------
# Numeric columns get their gaps filled with the median and are
# standardised; text and category columns are one-hot encoded (a category
# unseen during ``fit`` becomes all zeros). The classifier receives the
# resulting matrix and predicts the string labels directly. With 178 rows the
# network is small, one hidden layer of 20 units, and trained by full-batch
# L-BFGS (``solver="lbfgs"``), which suits small data sets better than the
# default Adam.
preprocess = ColumnTransformer(
    [
        (
            "numbers",
            make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
            make_column_selector(dtype_include="number"),
        ),
        (
            "categories",
            OneHotEncoder(handle_unknown="ignore"),
            make_column_selector(dtype_exclude="number"),
        ),
    ]
)
model = make_pipeline(
    preprocess, MLPLayerClassifier(hidden_layer_sizes=(20,), solver="lbfgs", random_state=0)
)
model.fit(X, y)
print("network input columns:", list(model[0].get_feature_names_out()))
print("classes:", model.classes_)
model

# %%
# Cross-validation
# ----------------
# Five stratified folds; every fold refits the whole pipeline, so the medians,
# scales and categories are learnt from the training folds only. A logistic
# regression on the same features is the baseline.
cv = StratifiedKFold(5, shuffle=True, random_state=0)
baseline = make_pipeline(preprocess, LogisticRegression(max_iter=1000))
scores = {
    name: cross_validate(estimator, X, y, cv=cv, return_train_score=True)
    for name, estimator in [("MLPLayerClassifier", model), ("LogisticRegression", baseline)]
}
summary = pd.DataFrame(
    {
        name: {
            "mean test accuracy": s["test_score"].mean(),
            "std test accuracy": s["test_score"].std(),
            "mean train accuracy": s["train_score"].mean(),
            "mean fit seconds": s["fit_time"].mean(),
        }
        for name, s in scores.items()
    }
).T
summary.round(3)

# %%
# The accuracy of each fold, for both models.
fig, ax = plt.subplots(figsize=(6, 3.5))
for k, (name, s) in enumerate(scores.items()):
    ax.scatter(s["test_score"], np.full(5, k) + rng.uniform(-0.1, 0.1, 5), s=40, label=name)
ax.set_yticks(range(len(scores)), labels=list(scores))
ax.set_xlabel("test accuracy per fold")
ax.set_ylim(-0.5, len(scores) - 0.5)
ax.set_title("Five-fold cross-validation on the mixed-type wine table")
fig.tight_layout()
plt.show()

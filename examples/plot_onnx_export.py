"""
==============================================
Export a trained network to ONNX and serve it
==============================================

Train a pipeline on the digits, convert it with skl2onnx (``import
skmlp.onnx`` registers the skmlp converters), run the graph in onnxruntime,
where neither Python's scikit-learn nor skmlp is needed, and check that it
predicts the same classes and probabilities. The same works for
:class:`~skmlp.MLPLayerRegressor`. Needs the ``onnx`` extra: ``pip install
'skmlp[onnx]'``.
"""

# %%
# Train a pipeline
# ----------------
# A :class:`~sklearn.preprocessing.StandardScaler` in front of a
# :class:`~skmlp.MLPLayerClassifier` with two ReLU layers, trained on 1,347
# digits and kept apart from 450 test digits.
import warnings

import numpy as np
import onnxruntime as ort
from skl2onnx import to_onnx
from sklearn.datasets import load_digits, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skmlp.onnx  # noqa: F401 - registers the converters with skl2onnx
from skmlp import MLPLayerClassifier, MLPLayerRegressor

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = make_pipeline(
    StandardScaler(), MLPLayerClassifier(hidden_layer_sizes=(64, 32), random_state=0)
)
model.fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.3f}")

# %%
# Convert it
# ----------
# skl2onnx reads the input's type and width from one sample row: float32
# gives a float32 graph. ``zipmap=False`` keeps the probabilities a matrix
# (skl2onnx's default turns them into one dictionary per row). The model is
# a self-contained file of a few dozen kilobytes: the scaler's statistics,
# the weights, and the operators that use them.
onx = to_onnx(model, X_train[:1].astype(np.float32), options={"zipmap": False})
print(
    f"{len(onx.SerializeToString()) / 1024:.0f} KiB;",
    "outputs:",
    [o.name for o in onx.graph.output],
)
print("operators:", [node.op_type for node in onx.graph.node])

# %%
# Run it in onnxruntime
# ---------------------
# An :class:`onnxruntime.InferenceSession` loads the bytes (or a ``.onnx``
# file) and returns the label and the probabilities.
session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
X32 = X_test.astype(np.float32)
labels, proba = session.run(None, {session.get_inputs()[0].name: X32})

# %%
# Compare
# -------
# The labels agree with :meth:`~skmlp.MLPLayerClassifier.predict` on every
# test digit and the probabilities to within float32 rounding.
same = np.array_equal(labels, model.predict(X32))
diff = np.abs(proba - model.predict_proba(X32)).max()
print(f"labels identical: {same}; largest probability difference: {diff:.1e}")

# %%
# A regressor
# -----------
# The regressor's graph has one output, ``variable``, of shape
# ``(n_samples, n_outputs_)``. L-BFGS runs its fixed budget of 200
# iterations here (the :class:`~sklearn.exceptions.ConvergenceWarning` that
# says so is silenced); the exported values agree to float32 precision.
X, y = make_friedman1(n_samples=500, random_state=0)
reg = make_pipeline(StandardScaler(), MLPLayerRegressor(solver="lbfgs", random_state=0))
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    reg.fit(X, y)
X32 = X.astype(np.float32)
onx = to_onnx(reg, X32[:1])
session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
(variable,) = session.run(None, {session.get_inputs()[0].name: X32})
expected = reg.predict(X32)
diff = np.abs(variable[:, 0] - expected).max()
print(
    f"R² {reg.score(X, y):.3f}; largest difference {diff:.1e} on values up to {expected.max():.1f}"
)

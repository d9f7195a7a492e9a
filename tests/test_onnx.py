"""skmlp.onnx: exported graphs reproduce predict exactly and probabilities within 1e-5."""

import importlib
import re
import sys
import textwrap
import types
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skmlp import MLPLayerClassifier, MLPLayerRegressor
from skmlp.layers import (
    ExpOutput,
    Identity,
    IdentityOutput,
    Layer,
    Linear,
    Logistic,
    LogisticOutput,
    ReLU,
    SoftmaxOutput,
    Tanh,
)

pytest.importorskip("skl2onnx")
pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
skmlp_onnx = importlib.import_module("skmlp.onnx")
from skl2onnx import to_onnx  # noqa: E402

TOL = dict(rtol=1e-5, atol=1e-5)
FAST = dict(hidden_layer_sizes=(8, 6), max_iter=40, random_state=0)


def _data(kind, n=200, n_features=5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    score = X[:, 0] + 0.7 * X[:, 1] - 0.4 * X[:, 2]
    y = {
        "binary": (score > 0).astype(int),
        "binary-strings": np.array(["no", "yes"])[(score > 0).astype(int)],
        "multiclass": np.digitize(score, [-0.7, 0.0, 0.7]) * 3 + 2,  # labels 2, 5, 8, 11
        "strings": np.array(["a", "b", "c", "d"])[np.digitize(score, [-0.7, 0.0, 0.7])],
        "multilabel": np.c_[score > 0, X[:, 3] > 0, X[:, 4] > 0.3].astype(int),
        "continuous": score + 0.1 * X[:, 3] ** 2,
        "continuous-2d": np.c_[score, np.sin(X[:, 3])],
        "counts": rng.poisson(np.exp(0.5 * score)).astype(float),
    }[kind]
    return X, y


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _session(onx):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(
        onx.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def _run(onx, X):
    session = _session(onx)
    if isinstance(X, pd.DataFrame):
        feeds = {i.name: X[[i.name]].to_numpy() for i in session.get_inputs()}
    else:
        feeds = {session.get_inputs()[0].name: X}
    return session.run(None, feeds)


def _check_classifier(clf, X32, onx=None):
    onx = onx or to_onnx(clf, X32[:1], options={"zipmap": False})
    label, proba = _run(onx, X32)
    np.testing.assert_array_equal(label, clf.predict(X32))
    np.testing.assert_allclose(proba, clf.predict_proba(X32), **TOL)
    return float(np.abs(proba - clf.predict_proba(X32)).max())


SOFTMAX = (Linear(None), SoftmaxOutput())

CLASSIFIERS = {
    "relu-multiclass": (dict(activation="relu"), "multiclass"),
    "tanh-strings": (dict(activation="tanh", solver="lbfgs"), "strings"),
    "logistic-binary": (dict(activation="logistic", solver="sgd"), "binary"),
    "identity-binary-strings": (dict(activation="identity"), "binary-strings"),
    "relu-multilabel": (dict(activation="relu", solver="lbfgs"), "multilabel"),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_classifier_matches_onnxruntime(name, dtype):
    params, kind = CLASSIFIERS[name]
    X, y = _data(kind)
    clf = _fit(MLPLayerClassifier(**FAST, **params), X.astype(dtype), y)
    X32 = X.astype(np.float32)
    _check_classifier(clf, X32)
    if kind == "binary":
        assert clf.n_outputs_ == 1
        assert clf.out_activation_ == "logistic"


@pytest.mark.parametrize(
    "stack",
    [
        [Linear(7), ReLU(), Linear(6), Tanh(), Linear(5), Logistic(), Identity(), *SOFTMAX],
        [Linear(6), Tanh(), Linear(None), LogisticOutput()],
    ],
    ids=["every-activation-softmax", "logistic-output"],
)
@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_custom_stacks_of_built_in_layers(stack, kind):
    if isinstance(stack[-1], LogisticOutput) and kind == "multiclass":
        kind = "multilabel"  # independent logistic units need one column per label
    X, y = _data(kind)
    clf = _fit(MLPLayerClassifier(layers=stack, max_iter=40, random_state=0), X, y)
    _check_classifier(clf, X.astype(np.float32))


def test_binary_softmax_has_two_outputs():
    X, y = _data("binary")
    stack = [Linear(6), ReLU(), Linear(None), SoftmaxOutput()]
    clf = _fit(MLPLayerClassifier(layers=stack, max_iter=40, random_state=0), X, y)
    assert clf.n_outputs_ == 2
    _check_classifier(clf, X.astype(np.float32))


REGRESSORS = {
    "relu": (dict(activation="relu"), "continuous"),
    "tanh-2d": (dict(activation="tanh", solver="lbfgs"), "continuous-2d"),
    "logistic-poisson": (dict(activation="logistic", loss="poisson"), "counts"),
    "identity-sgd": (dict(activation="identity", solver="sgd", learning_rate_init=1e-3), "counts"),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(REGRESSORS))
def test_regressor_matches_onnxruntime(name, dtype):
    params, kind = REGRESSORS[name]
    X, y = _data(kind)
    reg = _fit(MLPLayerRegressor(**FAST, **params), X.astype(dtype), y)
    X32 = X.astype(np.float32)
    (variable,) = _run(to_onnx(reg, X32[:1]), X32)
    assert variable.shape == (len(X), reg.n_outputs_)
    expected = reg.predict(X32).reshape(len(X), -1)
    np.testing.assert_allclose(variable, expected, **TOL)
    assert reg.out_activation_ == ("exp" if params.get("loss") == "poisson" else "identity")


@pytest.mark.parametrize(
    "output", [IdentityOutput(), ExpOutput()], ids=["identity-output", "exp-output"]
)
def test_regressor_custom_stack(output):
    X, y = _data("counts")
    stack = [Linear(6), Tanh(), Linear(5), ReLU(), Linear(None), output]
    reg = _fit(MLPLayerRegressor(layers=stack, max_iter=40, random_state=0), X, y)
    X32 = X.astype(np.float32)
    (variable,) = _run(to_onnx(reg, X32[:1]), X32)
    np.testing.assert_allclose(variable[:, 0], reg.predict(X32), **TOL)


def test_double_input_computes_in_double():
    X, y = _data("strings")
    clf = _fit(MLPLayerClassifier(**FAST), X, y)
    onx = to_onnx(clf, X[:1], options={"zipmap": False})
    label, proba = _run(onx, X)
    assert proba.dtype == np.float64
    np.testing.assert_array_equal(label, clf.predict(X))
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=1e-12, atol=1e-12)


def test_integer_input_is_cast():
    X, y = _data("multiclass")
    X = np.round(X * 4).astype(np.int64)
    clf = _fit(MLPLayerClassifier(**FAST), X, y)
    _check_classifier(clf, X)


def test_zipmap_is_the_default():
    X, y = _data("multiclass")
    clf = _fit(MLPLayerClassifier(**FAST), X, y)
    X32 = X.astype(np.float32)
    onx = to_onnx(clf, X32[:1])
    assert [o.name for o in onx.graph.output] == ["output_label", "output_probability"]
    label, maps = _run(onx, X32[:20])
    np.testing.assert_array_equal(label, clf.predict(X32[:20]))
    proba = np.array([[row[c] for c in clf.classes_] for row in maps])
    np.testing.assert_allclose(proba, clf.predict_proba(X32[:20]), **TOL)


def test_nocl_gives_class_indices():
    X, y = _data("strings")
    clf = _fit(MLPLayerClassifier(**FAST), X, y)
    X32 = X.astype(np.float32)
    options = {"zipmap": False, "nocl": True}
    label, _ = _run(to_onnx(clf, X32[:1], options=options), X32)
    np.testing.assert_array_equal(label, np.searchsorted(clf.classes_, clf.predict(X32)))


def test_standard_scaler_pipeline():
    X, y = _data("strings")
    X = X * 10 + 3
    pipe = _fit(make_pipeline(StandardScaler(), MLPLayerClassifier(**FAST)), X, y)
    _check_classifier(pipe, X.astype(np.float32))
    reg = _fit(make_pipeline(StandardScaler(), MLPLayerRegressor(**FAST)), *_data("continuous"))
    X32 = X.astype(np.float32)
    (variable,) = _run(to_onnx(reg, X32[:1]), X32)
    np.testing.assert_allclose(variable[:, 0], reg.predict(X32), **TOL)


def _frame(kind):
    X, y = _data(kind)
    frame = pd.DataFrame(X[:, :3].astype(np.float32), columns=["x0", "x1", "x2"])
    frame["colour"] = np.array(["red", "green", "blue"])[(X[:, 3] > 0).astype(int) + (X[:, 4] > 0)]
    return frame, y


@pytest.mark.parametrize("kind", ["binary", "strings"])
def test_column_transformer_pipeline(kind):
    frame, y = _frame(kind)
    pre = ColumnTransformer(
        [("num", StandardScaler(), ["x0", "x1", "x2"]), ("cat", OneHotEncoder(), ["colour"])]
    )
    pipe = _fit(make_pipeline(pre, MLPLayerClassifier(**FAST)), frame, y)
    onx = to_onnx(pipe, frame[:1], options={"zipmap": False})
    label, proba = _run(onx, frame)
    np.testing.assert_array_equal(label, pipe.predict(frame))
    np.testing.assert_allclose(proba, pipe.predict_proba(frame), **TOL)


def test_dataframe_columns_as_separate_inputs():
    frame, y = _frame("multiclass")
    frame = frame.drop(columns="colour")
    clf = _fit(MLPLayerClassifier(**FAST), frame, y)
    onx = to_onnx(clf, frame[:1], options={"zipmap": False})
    assert len(onx.graph.input) == 3
    label, proba = _run(onx, frame)
    np.testing.assert_array_equal(label, clf.predict(frame))
    np.testing.assert_allclose(proba, clf.predict_proba(frame), **TOL)


class LeakyReLU(Layer):
    """``max(x, 0) + alpha * min(x, 0)``, with an ONNX conversion."""

    def __init__(self, alpha=0.1):
        super().__init__()
        self.alpha = alpha

    def forward(self, X, *, training=True):
        if training:
            self._X = X
        return np.where(X > 0, X, self.alpha * X)

    def backward(self, grad_out):
        return np.where(self._X > 0, grad_out, self.alpha * grad_out)

    def to_onnx(self, builder, x):
        return builder.node("LeakyRelu", x, alpha=float(self.alpha))

    def __repr__(self):
        return f"{type(self).__name__}(alpha={self.alpha})"


class Unconvertible(LeakyReLU):
    to_onnx = None  # no conversion


class Scale(Layer):
    """Multiplies by a learned per-feature factor: a hook with a parameter."""

    def build(self, n_in, rng, dtype):
        self.params = {"scale": np.ones(n_in, dtype=dtype)}
        self.grads = {"scale": np.zeros(n_in, dtype=dtype)}
        return n_in

    def forward(self, X, *, training=True):
        if training:
            self._X = X
        return X * self.params["scale"]

    def backward(self, grad_out):
        self.grads["scale"] = (grad_out * self._X).sum(axis=0)
        return grad_out * self.params["scale"]

    def to_onnx(self, builder, x):
        return builder.node("Mul", x, builder.constant(self.params["scale"], "scale"))


def test_custom_layer_hook():
    X, y = _data("multiclass")
    stack = [Linear(8), LeakyReLU(0.2), Scale(), Linear(None), SoftmaxOutput()]
    clf = _fit(MLPLayerClassifier(layers=stack, max_iter=40, random_state=0), X, y)
    assert not np.allclose(clf.layers_[2].params["scale"], 1.0)
    _check_classifier(clf, X.astype(np.float32))


def test_custom_layer_without_conversion_is_named():
    X, y = _data("binary")
    stack = [Linear(4), Tanh(), Linear(3), Unconvertible(), Linear(None), LogisticOutput()]
    clf = _fit(MLPLayerClassifier(layers=stack, max_iter=5, random_state=0), X, y)
    message = r"layer 3 \(Unconvertible\(alpha=0\.1\)\) of MLPLayerClassifier has no ONNX"
    with pytest.raises(TypeError, match=message):
        to_onnx(clf, X[:1].astype(np.float32))


def test_hook_must_return_a_name():
    class Broken(LeakyReLU):
        def to_onnx(self, builder, x):
            builder.node("LeakyRelu", x)

    X, y = _data("continuous")
    stack = [Linear(4), Broken(), Linear(None), IdentityOutput()]
    reg = _fit(MLPLayerRegressor(layers=stack, max_iter=5, random_state=0), X, y)
    with pytest.raises(TypeError, match=r"layer 1 \(Broken.*must return the name"):
        to_onnx(reg, X[:1].astype(np.float32))


def test_integral_float_labels_become_int64():
    X, y = _data("multiclass")
    clf = _fit(MLPLayerClassifier(**FAST), X, y.astype(float))
    X32 = X.astype(np.float32)
    label, _ = _run(to_onnx(clf, X32[:1], options={"zipmap": False}), X32)
    assert label.dtype == np.int64
    np.testing.assert_array_equal(label, clf.predict(X32))


def test_register_explains_the_missing_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)
    with pytest.raises(ImportError, match=r"pip install 'skmlp\[onnx\]'"):
        skmlp_onnx.register()


def test_register_twice_changes_nothing():
    skmlp_onnx.register()
    X, y = _data("binary")
    clf = _fit(MLPLayerClassifier(**FAST), X, y)
    _check_classifier(clf, X.astype(np.float32))


def test_persistence_page_code_runs(tmp_path, monkeypatch):
    """The code blocks of docs/persistence.rst, run in order as one module."""
    pytest.importorskip("skops.io")
    page = Path(__file__).resolve().parent.parent / "docs" / "persistence.rst"
    if not page.is_file():
        pytest.skip("needs a source checkout")
    blocks = re.findall(
        r"^\.\. code-block:: python\n\n((?:(?: {4}.*)?\n)+)",
        page.read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    assert len(blocks) >= 6
    source = "\n".join(textwrap.dedent(block) for block in blocks)
    module = types.ModuleType("persistence_page")  # importable, for skops to find Scale
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        exec(compile(source, str(page), "exec"), module.__dict__)
    assert module.extra == {"persistence_page.Scale"}
    with pytest.raises(TypeError, match=r"layer 1 \(Scale\(\)\) of MLPLayerClassifier"):
        to_onnx(module.odd, module.X[:1])
    labels, proba = _run(module.onx, module.X)  # the LeakyReLU network
    np.testing.assert_array_equal(labels, module.leaky.predict(module.X))
    np.testing.assert_allclose(proba, module.leaky.predict_proba(module.X), **TOL)

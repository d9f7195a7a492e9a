"""skmlp.io: skops round trips of every fitted configuration, and nothing untrusted loads."""

import json
import pickle
import re
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPLayerClassifier, MLPLayerRegressor
from skmlp.io import trusted_types
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

sio = pytest.importorskip("skops.io")

SKMLP_SOURCES = Path(__file__).resolve().parent.parent / "skmlp"

FAST = dict(hidden_layer_sizes=(6, 5), max_iter=8, random_state=0)

OUTPUT_LOGISTIC = (Linear(None), LogisticOutput())

#: name -> (estimator factory, target kind). Together they contain every
#: class that trusted_types() names (test_every_trusted_type_is_needed).
CONFIGS = {
    "adam-relu-multiclass": (lambda: MLPLayerClassifier(**FAST), "multiclass"),
    "adam-random-state-instance": (
        lambda: MLPLayerClassifier((5,), max_iter=8, random_state=np.random.RandomState(0)),
        "multiclass",
    ),
    "adam-early-stopping-binary": (
        lambda: MLPLayerClassifier(**FAST, early_stopping=True, n_iter_no_change=2),
        "binary",
    ),
    "sgd-tanh-invscaling-strings": (
        lambda: MLPLayerClassifier(
            **FAST, solver="sgd", activation="tanh", learning_rate="invscaling"
        ),
        "strings",
    ),
    "sgd-logistic-adaptive-multilabel": (
        lambda: MLPLayerClassifier(
            **FAST, solver="sgd", activation="logistic", learning_rate="adaptive"
        ),
        "multilabel",
    ),
    "lbfgs-identity-binary": (
        lambda: MLPLayerClassifier(**FAST, solver="lbfgs", activation="identity"),
        "binary",
    ),
    "layers-softmax-binary": (
        lambda: MLPLayerClassifier(
            layers=[Linear(5), Tanh(), Linear(None), SoftmaxOutput()], max_iter=8, random_state=0
        ),
        "binary",
    ),
    "layers-every-activation": (
        lambda: MLPLayerClassifier(
            layers=[Linear(5), ReLU(), Linear(4), Logistic(), Identity(), *OUTPUT_LOGISTIC],
            max_iter=8,
            random_state=0,
        ),
        "binary",
    ),
    "regressor-adam": (lambda: MLPLayerRegressor(**FAST), "continuous"),
    "regressor-lbfgs-2d": (lambda: MLPLayerRegressor(**FAST, solver="lbfgs"), "continuous-2d"),
    "regressor-poisson-sgd": (
        lambda: MLPLayerRegressor(**FAST, loss="poisson", solver="sgd", learning_rate_init=1e-3),
        "counts",
    ),
    "regressor-layers-identity": (
        lambda: MLPLayerRegressor(
            layers=[Linear(4), Identity(), Linear(None), IdentityOutput()], max_iter=8
        ),
        "continuous",
    ),
    "regressor-layers-exp": (
        lambda: MLPLayerRegressor(
            layers=[Linear(4), ReLU(), Linear(1), ExpOutput()], max_iter=8, random_state=0
        ),
        "counts",
    ),
}


def _data(kind, dtype, frame):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4)).astype(dtype)
    score = X[:, 0] + 0.5 * X[:, 1]
    y = {
        "binary": (score > 0).astype(int),
        "multiclass": np.digitize(score, [-0.5, 0.5]) * 2 + 1,  # labels 1, 3, 5
        "strings": np.array(["low", "mid", "high"])[np.digitize(score, [-0.5, 0.5])],
        "multilabel": np.c_[score > 0, X[:, 2] > 0, X[:, 3] > 0.5].astype(int),
        "continuous": score,
        "continuous-2d": np.c_[score, X[:, 2]],
        "counts": rng.poisson(np.exp(0.3 * score)).astype(float),
    }[kind]
    if frame:
        X = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    return X, y


def _fit(name, dtype=np.float64, frame=False):
    factory, kind = CONFIGS[name]
    X, y = _data(kind, dtype, frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return factory().fit(X, y), X, y


def _outputs(estimator, X):
    out = [estimator.predict(X)]
    if hasattr(estimator, "predict_proba"):
        out += [estimator.predict_proba(X), estimator.predict_log_proba(X)]
    return out


@pytest.fixture(scope="module")
def fitted():
    return {name: _fit(name) for name in CONFIGS}


@pytest.mark.parametrize("frame", [False, True], ids=["array", "dataframe"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_round_trip_is_bit_identical(name, dtype, frame, tmp_path):
    estimator, X, _ = _fit(name, dtype, frame)
    path = tmp_path / "model.skops"
    sio.dump(estimator, path)
    assert set(sio.get_untrusted_types(file=path)) <= set(trusted_types())
    loaded = sio.load(path, trusted=trusted_types())
    assert type(loaded) is type(estimator)
    for expected, got in zip(_outputs(estimator, X), _outputs(loaded, X)):
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
    for W, W_loaded in zip(estimator.coefs_, loaded.coefs_):
        assert W_loaded.dtype == W.dtype
        np.testing.assert_array_equal(W_loaded, W)
    assert loaded.out_activation_ == estimator.out_activation_
    pd.testing.assert_frame_equal(loaded.history_, estimator.history_)
    if frame:
        np.testing.assert_array_equal(loaded.feature_names_in_, estimator.feature_names_in_)
    if hasattr(estimator, "classes_"):
        np.testing.assert_array_equal(loaded.classes_, estimator.classes_)


def test_every_trusted_type_is_needed(fitted):
    """trusted_types() is exactly what the fitted configurations contain: nothing more."""
    found = set()
    for estimator, _, _ in fitted.values():
        found.update(sio.get_untrusted_types(data=sio.dumps(estimator)))
    assert found == set(trusted_types())
    assert all(re.fullmatch(r"skmlp(\.\w+)+", name) for name in found - {"numpy.dtype"})


@pytest.mark.parametrize(
    "name", ["adam-relu-multiclass", "sgd-tanh-invscaling-strings", "regressor-poisson-sgd"]
)
def test_loaded_model_trains_on_as_the_original(name, fitted):
    """The optimizer's state and the network's flat parameters survive the round trip."""
    estimator, X, y = fitted[name]
    loaded = sio.loads(sio.dumps(estimator), trusted=trusted_types())
    assert np.shares_memory(loaded.coefs_[0], loaded._model.network.flat_params)
    kwargs = {"classes": estimator.classes_} if name != "regressor-poisson-sgd" else {}
    for model in (estimator, loaded):
        model.partial_fit(X, y, **kwargs)
    for expected, got in zip(_outputs(estimator, X), _outputs(loaded, X)):
        np.testing.assert_array_equal(got, expected)


def test_pipeline_round_trip(fitted):
    _, X, y = fitted["adam-relu-multiclass"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(StandardScaler(), MLPLayerClassifier(**FAST)).fit(X, y)
    data = sio.dumps(pipe)
    assert set(sio.get_untrusted_types(data=data)) <= set(trusted_types())
    loaded = sio.loads(data, trusted=trusted_types())
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))


class Scale(Layer):
    """A user's layer: multiplies by a fixed factor."""

    def __init__(self, factor=2.0):
        super().__init__()
        self.factor = factor

    def forward(self, X, *, training=True):
        return X * self.factor

    def backward(self, grad_out):
        return grad_out * self.factor


def test_custom_layer_needs_its_own_name():
    X, y = _data("binary", np.float64, False)
    stack = [Linear(4), Scale(), Tanh(), Linear(None), LogisticOutput()]
    clf = MLPLayerClassifier(layers=stack, solver="lbfgs", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    data = sio.dumps(clf)
    extra = set(sio.get_untrusted_types(data=data)) - set(trusted_types())
    assert extra == {f"{Scale.__module__}.Scale"}
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="Scale"):
        sio.loads(data, trusted=trusted_types())
    loaded = sio.loads(data, trusted=[*trusted_types(), *extra])
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def _rewrite_schema(data, rewrite):
    """A copy of the skops file ``data`` whose schema.json went through ``rewrite``."""
    import io

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "schema.json":
                content = json.dumps(rewrite(json.loads(content))).encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()


def _rename_class(node, old, new):
    if isinstance(node, dict):
        if node.get("__module__") == old[0] and node.get("__class__") == old[1]:
            node["__module__"], node["__class__"] = new
        for value in node.values():
            _rename_class(value, old, new)
    elif isinstance(node, list):
        for value in node:
            _rename_class(value, old, new)
    return node


@pytest.mark.parametrize(
    "hostile", [("os", "system"), ("subprocess", "Popen"), ("builtins", "eval")]
)
def test_a_file_naming_other_types_is_refused(hostile, fitted):
    estimator, _, _ = fitted["adam-relu-multiclass"]
    data = _rewrite_schema(
        sio.dumps(estimator), lambda s: _rename_class(s, ("skmlp.layers", "ReLU"), hostile)
    )
    assert ".".join(hostile) in sio.get_untrusted_types(data=data)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match=hostile[1]):
        sio.loads(data, trusted=trusted_types())


def test_skmlp_never_unpickles():
    modules = r"(pickle|joblib|dill|cloudpickle|marshal|shelve)"
    pattern = re.compile(rf"\b(import|from)\s+{modules}\b|\b{modules}\.(load|loads|Unpickler)\b")
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(SKMLP_SOURCES.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, offenders


def test_trusted_types_is_sorted_and_fresh():
    names = trusted_types()
    assert names == sorted(set(names))
    names.append("something.Else")  # the caller's list: the next call is unaffected
    assert "something.Else" not in trusted_types()


# --- what a fitted estimator holds: the model, not how it was trained -------------


def _objects(root):
    """Every object reachable from ``root`` through attributes, dicts, lists and tuples."""
    seen, stack = {}, [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, str | bytes | int | float | type(None)):
            continue
        seen[id(obj)] = obj
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set):
            stack.extend(obj)
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            stack.extend(vars(obj).values())
    return list(seen.values())


@pytest.mark.parametrize("name", ["adam-early-stopping-binary", "regressor-lbfgs-2d"])
def test_a_dataframe_fit_keeps_no_pandas_object(name):
    estimator, X, _ = _fit(name, frame=True)
    assert isinstance(X, pd.DataFrame)
    assert len(estimator.history_) == estimator.n_iter_  # built on access, never kept
    modules = {type(obj).__module__.split(".")[0] for obj in _objects(estimator)}
    assert "pandas" not in modules
    assert modules <= {"builtins", "numpy", "skmlp"}
    assert b"pandas" not in pickle.dumps(estimator)


def _progress_bar():
    pytest.importorskip("sklearn.callback", reason="needs scikit-learn >= 1.9 (sklearn.callback)")
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    return ProgressBar()


def test_callbacks_are_not_saved_with_the_fitted_model(capsys):
    bar = _progress_bar()
    from sklearn.callback import ScoringMonitor

    monitor = ScoringMonitor(scoring="accuracy")
    X, y = _data("multiclass", np.float64, False)
    clf = MLPLayerClassifier(**FAST).set_callbacks(bar, monitor)
    # unfitted, the callbacks travel (a meta-estimator's clones go to joblib's workers)
    assert pickle.loads(pickle.dumps(clf))._skl_callbacks[0].__class__ is type(bar)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert "MLPLayerClassifier - fit" in capsys.readouterr().out
    data = sio.dumps(clf)
    assert set(sio.get_untrusted_types(data=data)) <= set(trusted_types())
    for loaded in (sio.loads(data, trusted=trusted_types()), pickle.loads(pickle.dumps(clf))):
        assert not hasattr(loaded, "_skl_callbacks")
        np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # the estimator itself keeps them: a refit runs them again
    assert clf._skl_callbacks == [bar, monitor]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert len(monitor.get_logs(select="all")) == 2


def test_a_callback_can_save_each_epochs_model_safely():
    """A checkpointing callback dumps every epoch's fitted_estimator with skops."""
    bar = _progress_bar()
    saved = []

    class Checkpoint:
        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context):
            pass

        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            if context.task_name == "epoch":
                saved.append(sio.dumps(fitted_estimator))

    X, y = _data("binary", np.float64, False)
    clf = MLPLayerClassifier(**FAST).set_callbacks(bar, Checkpoint())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert len(saved) == clf.n_iter_
    for data in saved:
        assert set(sio.get_untrusted_types(data=data)) <= set(trusted_types())
    last = sio.loads(saved[-1], trusted=trusted_types())
    np.testing.assert_array_equal(last.predict_proba(X), clf.predict_proba(X))

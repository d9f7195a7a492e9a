"""MLPLayerClassifier: inputs, labels, dtypes, fitted attributes, errors, warm start."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from skmlp import MLPLayerClassifier
from skmlp.layers import Identity, Linear, Logistic, ReLU, SoftmaxOutput, Tanh

FAST = dict(hidden_layer_sizes=(10,), max_iter=15, learning_rate_init=0.5, random_state=0)


def fit_quietly(clf, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(*args, **kwargs)


def test_default_parameters_follow_the_tutorial():
    params = MLPLayerClassifier().get_params()
    assert params["hidden_layer_sizes"] == (20, 20)
    assert params["activation"] == "logistic"
    assert params["solver"] == "sgd"
    assert params["learning_rate_init"] == 0.1
    assert params["batch_size"] == 25
    assert params["max_iter"] == 300
    assert params["early_stopping"] is True
    assert params["validation_fraction"] == 0.25
    assert params["alpha"] == 0.0
    assert params["momentum"] == 0.0


def test_fitted_attributes(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    assert clf.n_features_in_ == 64
    np.testing.assert_array_equal(clf.classes_, np.arange(10))
    assert [W.shape for W in clf.coefs_] == [(64, 10), (10, 10)]
    assert [b.shape for b in clf.intercepts_] == [(10,), (10,)]
    assert clf.n_layers_ == 3
    assert clf.n_outputs_ == 10
    assert clf.out_activation_ == "softmax"
    assert clf.n_iter_ == len(clf.loss_curve_) == len(clf.history_) == 15
    assert clf.loss_ == clf.loss_curve_[-1]
    assert clf.best_loss_ is None
    assert len(clf.validation_loss_curve_) == 15
    assert clf.best_validation_loss_ == min(clf.validation_loss_curve_)
    assert clf.history_["val_loss"].iloc[clf.best_epoch_ - 1] == clf.best_validation_loss_
    assert list(clf.history_.columns) == [
        "epoch",
        "train_loss",
        "val_loss",
        "val_accuracy",
        "learning_rate",
        "seconds",
    ]
    assert clf.t_ == 15 * 225  # 75 of the 300 rows are held out for validation
    assert isinstance(clf.layers_[1], Logistic)


def test_history_frame_is_built_when_read_not_in_fit(tiny_digits):
    import pickle

    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        _ = MLPLayerClassifier().history_
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    assert "history_" not in vars(clf)  # pandas costs megabytes; fit never pays them
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.history_.equals(clf.history_)
    assert restored.history_["train_loss"].tolist() == clf.loss_curve_


def test_coefs_are_the_live_weights(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    before = clf.predict_proba(X[:5])
    clf.coefs_[0][...] = 0.0
    assert not np.allclose(clf.predict_proba(X[:5]), before)


def test_without_early_stopping(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(**FAST, early_stopping=False), X, y)
    assert clf.validation_loss_curve_ is None
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.t_ == 15 * 300


def test_convergence_warning_when_max_iter_is_hit(tiny_digits):
    X, y = tiny_digits
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        MLPLayerClassifier(**FAST).fit(X, y)


def test_no_warning_when_training_stops(tiny_digits):
    X, y = tiny_digits
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = MLPLayerClassifier(hidden_layer_sizes=(10,), random_state=0, tol=1e-3)
        clf.fit(X, y)
    assert clf.n_iter_ < 300


def test_predictions_are_consistent(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    P = clf.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), P, rtol=1e-10)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[P.argmax(axis=1)])
    assert clf.score(X, y) > 0.8


def test_predict_log_proba_is_finite_where_proba_rounds_to_zero(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(**FAST, activation="identity"), X, y)
    extreme = X[:3] * 1e4
    assert np.any(clf.predict_proba(extreme) == 0)
    assert np.all(np.isfinite(clf.predict_log_proba(extreme)))


@pytest.mark.parametrize(
    "labels", [np.array(["zero", "one", "two"], dtype=object), np.array([-5, 10, 99])]
)
def test_string_and_arbitrary_int_labels(labels, tiny_digits):
    X, y = tiny_digits
    keep = y < 3
    y_named = labels[y[keep]]
    clf = fit_quietly(MLPLayerClassifier(**FAST), X[keep], y_named)
    assert set(clf.classes_) == set(labels)
    assert set(clf.predict(X[keep])) <= set(labels)


def test_binary_problem(tiny_digits):
    X, y = tiny_digits
    keep = y < 2
    clf = fit_quietly(MLPLayerClassifier(**FAST), X[keep], y[keep] == 1)
    assert clf.predict_proba(X[keep]).shape == (keep.sum(), 2)
    assert clf.score(X[keep], y[keep] == 1) > 0.9


def test_pandas_input_records_and_checks_feature_names(tiny_digits):
    X, y = tiny_digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    clf = fit_quietly(MLPLayerClassifier(**FAST), frame, pd.Series(y))
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)
    clf.predict(frame)
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame.rename(columns={"px0": "other"}))


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_matches_dense(fmt, tiny_digits):
    X, y = tiny_digits
    dense = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    sparse = fit_quietly(MLPLayerClassifier(**FAST), sp.csr_matrix(X).asformat(fmt), y)
    np.testing.assert_allclose(sparse.coefs_[0], dense.coefs_[0], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), rtol=1e-7, atol=1e-10
    )


def test_float32_input_is_computed_and_stored_in_float32(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(**FAST), X.astype(np.float32), y)
    assert all(W.dtype == np.float32 for W in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    clf64 = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    assert clf64.coefs_[0].dtype == np.float64
    assert abs(clf.score(X, y) - clf64.score(X, y)) < 0.05


def test_integer_and_list_input_become_float64(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(**FAST), (X * 16).astype(int).tolist(), list(y))
    assert clf.coefs_[0].dtype == np.float64


def test_fit_does_not_modify_the_callers_arrays(tiny_digits):
    X, y = tiny_digits
    X, y, w = X.copy(), y.copy(), np.linspace(0.5, 2, len(y))
    X_before, y_before, w_before = X.copy(), y.copy(), w.copy()
    X.flags.writeable = False
    fit_quietly(MLPLayerClassifier(**FAST), X, y, sample_weight=w)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(w, w_before)


def test_same_random_state_gives_identical_weights(tiny_digits):
    X, y = tiny_digits
    a = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    b = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    c = fit_quietly(MLPLayerClassifier(**{**FAST, "random_state": 1}), X, y)
    for Wa, Wb in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(Wa, Wb)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_global_random_state_is_untouched(tiny_digits):
    X, y = tiny_digits
    # The point of this test is NumPy's legacy global state, hence NPY002.
    _, key, pos, *_ = np.random.get_state()  # noqa: NPY002
    fit_quietly(MLPLayerClassifier(hidden_layer_sizes=(5,), max_iter=2), X, y)
    _, key_after, pos_after, *_ = np.random.get_state()  # noqa: NPY002
    np.testing.assert_array_equal(key_after, key)
    assert pos_after == pos


def test_zero_weights_equal_dropping_rows(tiny_digits):
    X, y = tiny_digits
    w = np.ones(len(y))
    w[::3] = 0
    weighted = fit_quietly(MLPLayerClassifier(**FAST), X, y, sample_weight=w)
    dropped = fit_quietly(MLPLayerClassifier(**FAST), X[w > 0], y[w > 0])
    np.testing.assert_allclose(weighted.predict_proba(X), dropped.predict_proba(X), rtol=1e-10)


def test_weight_two_equals_duplicating(tiny_digits):
    X, y = tiny_digits
    w = np.where(np.arange(len(y)) % 4 == 0, 2.0, 1.0)
    weighted = fit_quietly(MLPLayerClassifier(**FAST), X, y, sample_weight=w)
    X_dup, y_dup = np.repeat(X, w.astype(int), axis=0), np.repeat(y, w.astype(int))
    duplicated = fit_quietly(MLPLayerClassifier(**FAST), X_dup, y_dup)
    np.testing.assert_allclose(
        weighted.predict_proba(X), duplicated.predict_proba(X), rtol=1e-7, atol=1e-12
    )


def test_sample_weight_changes_the_fit(tiny_digits):
    X, y = tiny_digits
    w = np.where(y == 3, 20.0, 1.0)
    plain = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    weighted = fit_quietly(MLPLayerClassifier(**FAST), X, y, sample_weight=w)
    assert (weighted.predict(X) == 3).sum() > (plain.predict(X) == 3).sum()


def test_warm_start_continues_counting(tiny_digits):
    X, y = tiny_digits
    clf = MLPLayerClassifier(**{**FAST, "max_iter": 5}, warm_start=True, early_stopping=False)
    fit_quietly(clf, X, y)
    first = [W.copy() for W in clf.coefs_]
    fit_quietly(clf, X, y)
    assert clf.n_iter_ == 10
    assert clf.t_ == 10 * 300
    assert len(clf.loss_curve_) == len(clf.history_) == 10
    assert list(clf.history_["epoch"]) == list(range(1, 11))
    assert not np.array_equal(first[0], clf.coefs_[0])
    cold = fit_quietly(clone(clf).set_params(warm_start=False), X, y)
    assert cold.n_iter_ == 5


def test_partial_fit_counts_epochs_and_samples(tiny_digits):
    X, y = tiny_digits
    clf = MLPLayerClassifier(hidden_layer_sizes=(10,), random_state=0)
    clf.partial_fit(X[:150], y[:150], classes=np.arange(10))
    clf.partial_fit(X[150:], y[150:])
    assert clf.n_iter_ == 2
    assert clf.t_ == 300
    assert len(clf.loss_curve_) == 2


def test_partial_fit_errors(tiny_digits):
    X, y = tiny_digits
    clf = MLPLayerClassifier(**FAST)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[y < 5], y[y < 5], classes=np.arange(5))
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X, y)
    with pytest.raises(ValueError, match="differs"):
        clf.partial_fit(X[y < 5], y[y < 5], classes=np.arange(6))


def test_pickle_round_trip_and_continued_training(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    restored.partial_fit(X, y)
    assert not np.allclose(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.n_iter_ == clf.n_iter_ + 1


def test_custom_layers_are_copied_and_not_modified(tiny_digits):
    X, y = tiny_digits
    stack = [Linear(16), ReLU(), Linear(8, init="normal"), Tanh(), Linear(), SoftmaxOutput()]
    clf = fit_quietly(MLPLayerClassifier(layers=stack, max_iter=10, random_state=0), X, y)
    assert stack[0].params == {}
    assert stack[4].n_out is None
    assert [W.shape for W in clf.coefs_] == [(64, 16), (16, 8), (8, 10)]
    assert clf.layers_[0] is not stack[0]
    cloned = clone(clf)
    assert cloned.get_params()["layers"] is not stack
    assert repr(cloned.get_params()["layers"][0]) == "Linear(16)"
    assert clf.score(X, y) > 0.5


@pytest.mark.parametrize(
    ("layers", "match"),
    [
        ([Linear(10), Logistic()], "output layer"),
        (["Linear"], "Layer instances"),
        ([Logistic(), SoftmaxOutput()], "Linear"),
        ([Linear(4), SoftmaxOutput()], "4 outputs"),
    ],
)
def test_bad_custom_layers(layers, match, tiny_digits):
    X, y = tiny_digits
    with pytest.raises(ValueError, match=match):
        MLPLayerClassifier(layers=layers).fit(X, y)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"learning_rate_init": 0}, "learning_rate_init"),
        ({"activation": "softsign"}, "activation"),
        ({"solver": "lbfgs"}, "solver"),
        ({"batch_size": 0}, "batch_size"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"momentum": 1.5}, "momentum"),
        ({"max_iter": 0}, "max_iter"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"weight_init": "zeros"}, "weight_init"),
        ({"layers": "Linear"}, "layers"),
    ],
)
def test_invalid_parameters_name_the_parameter(params, name, tiny_digits):
    X, y = tiny_digits
    with pytest.raises(InvalidParameterError, match=name):
        MLPLayerClassifier(**params).fit(X, y)


def test_bad_hidden_layer_sizes(tiny_digits):
    X, y = tiny_digits
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        MLPLayerClassifier(hidden_layer_sizes=(10, 0)).fit(X, y)


def test_data_errors(tiny_digits):
    X, y = tiny_digits
    clf = MLPLayerClassifier(**FAST)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    with pytest.raises(NotFittedError):
        _ = clf.coefs_
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(bad, y)
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        clf.fit(bad, y)
    with pytest.raises(ValueError, match="0 sample"):
        clf.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="two classes"):
        clf.fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(X, X[:, 0] + 0.5)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.fit(X, y[:-1])
    with pytest.raises(ValueError, match="Negative values"):
        clf.fit(X, y, sample_weight=-np.ones(len(y)))
    fit_quietly(clf, X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :10])


def test_tiny_data_with_early_stopping_fits_or_explains(rng):
    X = rng.normal(size=(4, 2))
    clf = MLPLayerClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
    fit_quietly(clf, X, [0, 0, 1, 1])  # one validation row per class
    assert clf.predict(X).shape == (4,)
    with pytest.raises(ValueError, match="validation"):
        clf.fit(X[:3], [0, 1, 2])


def test_divergence_is_an_error_not_nan(tiny_digits):
    X, y = tiny_digits

    class PoisonedGradient(Identity):
        def backward(self, grad_out):
            return grad_out * np.nan

    stack = [Linear(5), PoisonedGradient(), Linear(), SoftmaxOutput()]
    clf = MLPLayerClassifier(layers=stack, random_state=0)
    with pytest.raises(FloatingPointError, match="learning_rate_init"), np.errstate(all="ignore"):
        clf.fit(X, y)


def test_verbose_prints_one_line_per_epoch(tiny_digits, capsys):
    X, y = tiny_digits
    fit_quietly(MLPLayerClassifier(**{**FAST, "max_iter": 3}, verbose=True), X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Epoch")]
    assert len(lines) == 3
    assert "validation loss" in lines[0]
    assert lines[0].endswith(" s")


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "adam", "learning_rate_init": 0.01},
        {"momentum": 0.9, "nesterovs_momentum": True},
        {"momentum": 0.9},
        {"learning_rate": "invscaling", "learning_rate_init": 2.0},
        {"learning_rate": "adaptive", "early_stopping": False},
        {"alpha": 1e-3},
        {"batch_size": "auto", "learning_rate_init": 2.0, "max_iter": 200},
        {"shuffle": False},
        {"activation": "tanh"},
        {"activation": "relu"},
        {"activation": "identity"},
        {"weight_init": "normal"},
    ],
)
def test_solver_and_schedule_variants_learn(params, tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(**{**FAST, "max_iter": 40, **params}), X, y)
    assert clf.score(X, y) > 0.7


def test_adaptive_schedule_lowers_the_rate(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(
        MLPLayerClassifier(
            hidden_layer_sizes=(10,),
            learning_rate="adaptive",
            n_iter_no_change=2,
            tol=1e-2,
            early_stopping=False,
            random_state=0,
            max_iter=150,
        ),
        X,
        y,
    )
    rates = clf.history_["learning_rate"]
    assert rates.iloc[0] == 0.1
    np.testing.assert_allclose(sorted(set(rates), reverse=True)[:2], [0.1, 0.02])


def test_invscaling_schedule_decays_per_epoch(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(**FAST, learning_rate="invscaling"), X, y)
    rates = clf.history_["learning_rate"].to_numpy()
    assert rates[0] == 0.5
    np.testing.assert_allclose(rates[1], 0.5 / (225 + 1) ** 0.5)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_prediction_fast_path_checks_like_the_full_path(dtype, tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    Xd = X.astype(dtype)
    np.testing.assert_allclose(clf.predict_proba(Xd), clf.predict_proba(Xd.tolist()), rtol=1e-6)
    for bad, match in [(np.nan, "NaN"), (np.inf, "infinity"), (1e308, "float64")]:
        X_bad = X[:3].copy()
        X_bad[0, :2] = bad
        if bad == 1e308:  # finite values whose sum overflows are valid input
            assert np.all(np.isfinite(clf.predict_proba(X_bad)))
            continue
        with pytest.raises(ValueError, match=match):
            clf.predict_proba(X_bad.astype(dtype))
    with pytest.raises(ValueError, match="features"):
        clf.predict_proba(Xd[:, :5])
    with pytest.raises(ValueError, match="2D array"):
        clf.predict_proba(Xd[0])

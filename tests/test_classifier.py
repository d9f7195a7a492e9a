"""MLPLayerClassifier: inputs, labels, dtypes, fitted attributes, errors, warm start."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier
from sklearn.utils._param_validation import InvalidParameterError

from skmlp import MLPLayerClassifier
from skmlp.datasets import TUTORIAL_PARAMS
from skmlp.layers import Identity, Linear, Logistic, ReLU, SoftmaxOutput, Tanh

#: A small, fast network trained the tutorial's way: plain SGD on minibatches
#: of 25, early stopping on a quarter of the rows (75 of tiny_digits' 300).
#: Spelled out from TUTORIAL_PARAMS, since the estimator's defaults are
#: scikit-learn's (Adam, no hold-out).
FAST = {
    **TUTORIAL_PARAMS,
    "hidden_layer_sizes": (10,),
    "max_iter": 15,
    "learning_rate_init": 0.5,
    "random_state": 0,
}


def tutorial(**overrides):
    """The tutorial's network, ``TUTORIAL_PARAMS``, with some settings changed."""
    return MLPLayerClassifier(**{**TUTORIAL_PARAMS, **overrides})


def fast(**overrides):
    """The ``FAST`` network, with some settings changed."""
    return MLPLayerClassifier(**{**FAST, **overrides})


def fit_quietly(clf, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(*args, **kwargs)


def test_default_parameters_are_sklearns():
    ours = MLPLayerClassifier().get_params()
    theirs = MLPClassifier().get_params()
    shared = ours.keys() & theirs.keys()
    assert shared >= {
        "hidden_layer_sizes",
        "activation",
        "solver",
        "alpha",
        "batch_size",
        "learning_rate",
        "learning_rate_init",
        "power_t",
        "max_iter",
        "shuffle",
        "random_state",
        "tol",
        "verbose",
        "warm_start",
        "momentum",
        "nesterovs_momentum",
        "early_stopping",
        "validation_fraction",
        "beta_1",
        "beta_2",
        "epsilon",
        "n_iter_no_change",
    }
    assert {name: ours[name] for name in shared} == {name: theirs[name] for name in shared}
    assert ours["hidden_layer_sizes"] == (100,)
    assert ours["solver"] == "adam"
    assert ours["early_stopping"] is False


def test_default_network_is_sklearns(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(MLPLayerClassifier(max_iter=2, random_state=0), X, y)
    assert [W.shape for W in clf.coefs_] == [(64, 100), (100, 10)]
    assert isinstance(clf.layers_[1], ReLU)
    assert clf.validation_loss_curve_ is None  # no hold-out by default
    assert clf.t_ == 2 * 300


def test_fitted_attributes(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(), X, y)
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
    clf = fit_quietly(fast(), X, y)
    assert "history_" not in vars(clf)  # pandas costs megabytes; fit never pays them
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.history_.equals(clf.history_)
    assert restored.history_["train_loss"].tolist() == clf.loss_curve_


def test_coefs_are_the_live_weights(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(), X, y)
    before = clf.predict_proba(X[:5])
    clf.coefs_[0][...] = 0.0
    assert not np.allclose(clf.predict_proba(X[:5]), before)


def test_without_early_stopping(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(early_stopping=False), X, y)
    assert clf.validation_loss_curve_ is None
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.t_ == 15 * 300


def test_convergence_warning_when_max_iter_is_hit(tiny_digits):
    X, y = tiny_digits
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        fast().fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        # the tutorial's: stopped by early stopping, on the validation loss
        {**TUTORIAL_PARAMS, "tol": 1e-3},
        # the defaults, scikit-learn's: stopped by the training loss
        {"tol": 1e-2},
    ],
    ids=["early_stopping", "training_loss"],
)
def test_no_warning_when_training_stops(params, tiny_digits):
    X, y = tiny_digits
    clf = MLPLayerClassifier(**{**params, "hidden_layer_sizes": (10,), "random_state": 0})
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.n_iter_ < clf.max_iter


def test_predictions_are_consistent(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(), X, y)
    P = clf.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), P, rtol=1e-10)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[P.argmax(axis=1)])
    assert clf.score(X, y) > 0.8


def test_predict_log_proba_is_finite_where_proba_rounds_to_zero(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(activation="identity"), X, y)
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
    clf = fit_quietly(fast(), X[keep], y_named)
    assert set(clf.classes_) == set(labels)
    assert set(clf.predict(X[keep])) <= set(labels)


def test_binary_problem(tiny_digits):
    X, y = tiny_digits
    keep = y < 2
    clf = fit_quietly(fast(), X[keep], y[keep] == 1)
    assert clf.predict_proba(X[keep]).shape == (keep.sum(), 2)
    assert clf.score(X[keep], y[keep] == 1) > 0.9


def test_pandas_input_records_and_checks_feature_names(tiny_digits):
    X, y = tiny_digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    clf = fit_quietly(fast(), frame, pd.Series(y))
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)
    clf.predict(frame)
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame.rename(columns={"px0": "other"}))


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_matches_dense(fmt, tiny_digits):
    X, y = tiny_digits
    dense = fit_quietly(fast(), X, y)
    sparse = fit_quietly(fast(), sp.csr_matrix(X).asformat(fmt), y)
    np.testing.assert_allclose(sparse.coefs_[0], dense.coefs_[0], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), rtol=1e-7, atol=1e-10
    )


def test_float32_input_is_computed_and_stored_in_float32(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(), X.astype(np.float32), y)
    assert all(W.dtype == np.float32 for W in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    clf64 = fit_quietly(fast(), X, y)
    assert clf64.coefs_[0].dtype == np.float64
    assert abs(clf.score(X, y) - clf64.score(X, y)) < 0.05


def test_integer_and_list_input_become_float64(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(), (X * 16).astype(int).tolist(), list(y))
    assert clf.coefs_[0].dtype == np.float64


def test_fit_does_not_modify_the_callers_arrays(tiny_digits):
    X, y = tiny_digits
    X, y, w = X.copy(), y.copy(), np.linspace(0.5, 2, len(y))
    X_before, y_before, w_before = X.copy(), y.copy(), w.copy()
    X.flags.writeable = False
    fit_quietly(fast(), X, y, sample_weight=w)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(w, w_before)


def test_same_random_state_gives_identical_weights(tiny_digits):
    X, y = tiny_digits
    a = fit_quietly(fast(), X, y)
    b = fit_quietly(fast(), X, y)
    c = fit_quietly(fast(random_state=1), X, y)
    for Wa, Wb in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(Wa, Wb)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_global_random_state_is_untouched(tiny_digits):
    X, y = tiny_digits
    # The point of this test is NumPy's legacy global state, hence NPY002.
    _, key, pos, *_ = np.random.get_state()  # noqa: NPY002
    # early stopping too, so that the hold-out split draws from the estimator's RNG
    clf = MLPLayerClassifier(hidden_layer_sizes=(5,), max_iter=2, early_stopping=True)
    fit_quietly(clf, X, y)
    _, key_after, pos_after, *_ = np.random.get_state()  # noqa: NPY002
    np.testing.assert_array_equal(key_after, key)
    assert pos_after == pos


#: Full-batch, unshuffled, without a hold-out: where weights and repeated rows agree.
FULL_BATCH = dict(FAST, batch_size=1000, shuffle=False, early_stopping=False)


def test_zero_weights_equal_dropping_rows_in_full_batch_training(tiny_digits):
    X, y = tiny_digits
    w = np.ones(len(y))
    w[::3] = 0
    with pytest.warns(UserWarning, match="clipped"):
        weighted = fit_quietly(MLPLayerClassifier(**FULL_BATCH), X, y, sample_weight=w)
    with pytest.warns(UserWarning, match="clipped"):
        dropped = fit_quietly(MLPLayerClassifier(**FULL_BATCH), X[w > 0], y[w > 0])
    np.testing.assert_allclose(weighted.predict_proba(X), dropped.predict_proba(X), rtol=1e-6)


def test_weight_two_equals_duplicating_in_full_batch_training(tiny_digits):
    X, y = tiny_digits
    w = np.where(np.arange(len(y)) % 4 == 0, 2.0, 1.0)
    X_dup, y_dup = np.repeat(X, w.astype(int), axis=0), np.repeat(y, w.astype(int))
    with pytest.warns(UserWarning, match="clipped"):
        weighted = fit_quietly(MLPLayerClassifier(**FULL_BATCH), X, y, sample_weight=w)
    with pytest.warns(UserWarning, match="clipped"):
        duplicated = fit_quietly(MLPLayerClassifier(**FULL_BATCH), X_dup, y_dup)
    np.testing.assert_allclose(
        weighted.predict_proba(X), duplicated.predict_proba(X), rtol=1e-7, atol=1e-12
    )


def test_sample_weight_changes_the_fit(tiny_digits):
    X, y = tiny_digits
    w = np.where(y == 3, 20.0, 1.0)
    plain = fit_quietly(fast(), X, y)
    weighted = fit_quietly(fast(), X, y, sample_weight=w)
    assert (weighted.predict(X) == 3).sum() > (plain.predict(X) == 3).sum()


def test_warm_start_continues_counting(tiny_digits):
    X, y = tiny_digits
    clf = fast(max_iter=5, warm_start=True, early_stopping=False)
    fit_quietly(clf, X, y)
    first = [W.copy() for W in clf.coefs_]
    fit_quietly(clf, X, y)
    assert clf.n_iter_ == 5  # the epochs of the latest fit, as in scikit-learn
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
    assert clf.n_iter_ == 1  # one epoch per call, as in scikit-learn
    assert clf.t_ == 300
    assert len(clf.loss_curve_) == 2


def test_partial_fit_errors(tiny_digits):
    X, y = tiny_digits
    clf = fast()
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[y < 5], y[y < 5], classes=np.arange(5))
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X, y)
    with pytest.raises(ValueError, match="differs"):
        clf.partial_fit(X[y < 5], y[y < 5], classes=np.arange(6))


def test_pickle_round_trip_and_continued_training(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(), X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    restored.partial_fit(X, y)
    assert not np.allclose(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.n_iter_ == 1
    assert len(restored.loss_curve_) == len(clf.loss_curve_) + 1


def test_custom_layers_are_copied_and_not_modified(tiny_digits):
    X, y = tiny_digits
    stack = [Linear(16), ReLU(), Linear(8, init="normal"), Tanh(), Linear(), SoftmaxOutput()]
    clf = fit_quietly(tutorial(layers=stack, max_iter=10, random_state=0), X, y)
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
        ([Linear(10), Logistic()], "(?i)output ?layer"),
        (["Linear"], "Layer"),
        ([Logistic(), SoftmaxOutput()], "64 outputs"),
        ([Linear(4), SoftmaxOutput()], "4 outputs"),
    ],
)
def test_bad_custom_layers(layers, match, tiny_digits):
    X, y = tiny_digits
    with pytest.raises((TypeError, ValueError), match=match):
        MLPLayerClassifier(layers=layers).fit(X, y)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"learning_rate_init": 0}, "learning_rate_init"),
        ({"activation": "softsign"}, "activation"),
        ({"solver": "newton-cg"}, "solver"),
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
    clf = fast()
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
    clf = tutorial(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
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
    with pytest.raises(ValueError, match="learning_rate_init"), np.errstate(all="ignore"):
        clf.fit(X, y)


def test_verbose_prints_one_line_per_epoch(tiny_digits, capsys):
    X, y = tiny_digits
    fit_quietly(fast(max_iter=3, verbose=True), X, y)
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
        {"learning_rate": "adaptive", "early_stopping": False, "tol": 0.05},
        {"alpha": 1e-3},
        {"batch_size": "auto", "learning_rate_init": 2.0, "max_iter": 200},
        {"shuffle": False},
        {"activation": "tanh"},
        {"activation": "relu"},
        {"activation": "identity"},
        {"weight_init": "normal"},
    ],
)
def test_solver_and_schedule_variants_learn_and_matter(params, tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(**{"max_iter": 40, **params}), X, y)
    assert clf.score(X, y) > 0.7
    # the variant is not ignored: with the tutorial's value instead, the same
    # seed gives another model
    base_params = {**FAST, "max_iter": 40, **params}
    for key in params:
        if key not in ("learning_rate_init", "max_iter", "early_stopping", "tol"):
            base_params[key] = TUTORIAL_PARAMS[key]
    base = fit_quietly(MLPLayerClassifier(**base_params), X, y)
    assert not np.allclose(clf.coefs_[0], base.coefs_[0])


def test_adaptive_schedule_lowers_the_rate(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(
        tutorial(
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
    clf = fit_quietly(fast(learning_rate="invscaling"), X, y)
    rates = clf.history_["learning_rate"].to_numpy()
    assert rates[0] == 0.5
    np.testing.assert_allclose(rates[1], 0.5 / (225 + 1) ** 0.5)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_prediction_fast_path_checks_like_the_full_path(dtype, tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(), X, y)
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


# --- every row is a sample ----------------------------------------------------


def test_low_cardinality_data_trains_like_any_other():
    # One binary feature, Bayes accuracy 0.80: merging identical rows made
    # this train to chance (0.50).
    rng = np.random.RandomState(0)
    x = rng.randint(0, 2, 2000)
    y = np.where(rng.uniform(size=2000) < 0.8, x, 1 - x)
    X = x[:, None].astype(float)
    clf = fit_quietly(tutorial(random_state=0), X[:1500], y[:1500])
    assert clf.score(X[1500:], y[1500:]) >= 0.77
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    # a quarter of the samples was held out: three quarters were trained on
    assert clf.t_ == clf.n_iter_ * 1125


def test_identical_rows_fit_with_early_stopping():
    X = np.ones((120, 3))
    y = np.tile([0, 1, 2], 40)
    clf = fit_quietly(tutorial(random_state=0), X, y)
    np.testing.assert_allclose(clf.predict_proba(X[:1]), 1 / 3, atol=0.05)


# --- a fit commits or changes nothing -----------------------------------------


def _snapshot(clf, X):
    return clf.predict_proba(X).copy(), list(clf.classes_), clf.n_features_in_, clf.n_iter_


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ("nan", "NaN"),
        ("one_class", "two classes"),
        ("seven_features", "features"),
        ("all_zero_weights", "non-zero|weights are zero"),
        ("diverging", "diverged"),
    ],
)
def test_a_failed_refit_leaves_the_previous_model(bad, match, tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(), X, y)
    before = _snapshot(clf, X)
    Xb, yb, kwargs = X.copy(), (y % 3).copy(), {}
    if bad == "nan":
        Xb[3, 3] = np.nan
    elif bad == "one_class":
        yb[:] = 1
    elif bad == "seven_features":
        Xb = Xb[:, :7]
        clf.set_params(warm_start=True)
    elif bad == "all_zero_weights":
        kwargs["sample_weight"] = np.zeros(len(yb))
    else:

        class PoisonedGradient(Identity):
            def backward(self, grad_out):
                return grad_out * np.nan

        stack = [Linear(10), PoisonedGradient(), Linear(), SoftmaxOutput()]
        clf.set_params(layers=stack, early_stopping=False)
    with pytest.raises(ValueError, match=match), np.errstate(all="ignore"):
        clf.fit(Xb, yb, **kwargs)
    after = _snapshot(clf, X)
    np.testing.assert_array_equal(after[0], before[0])
    assert after[1:] == before[1:]


def test_a_failed_first_fit_leaves_an_unfitted_estimator(tiny_digits):
    X, y = tiny_digits
    clf = fast()
    with pytest.raises(ValueError, match="two classes"):
        clf.fit(X, np.zeros(len(y)))
    with pytest.raises(NotFittedError):
        clf.predict(X)
    assert not hasattr(clf, "n_features_in_")
    assert not hasattr(clf, "classes_")


def test_a_failed_first_partial_fit_can_be_retried(tiny_digits):
    X, y = tiny_digits
    clf = fast()
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X, y, classes=np.arange(5))
    with pytest.raises(NotFittedError):
        clf.predict(X)
    clf.partial_fit(X, y, classes=np.arange(10))
    assert list(clf.classes_) == list(range(10))


def test_an_error_in_a_warm_start_fit_keeps_the_old_weights(tiny_digits):
    X, y = tiny_digits

    class FailsLater(Identity):
        calls = 0

        def forward(self, X, *, training=True):
            if training:
                type(self).calls += 1
                if type(self).calls > 50:
                    raise RuntimeError("boom")
            return X

    stack = [Linear(8), FailsLater(), Linear(), SoftmaxOutput()]
    clf = tutorial(layers=stack, warm_start=True, max_iter=3, random_state=0)
    fit_quietly(clf, X, y)  # 3 epochs of 9 batches: 27 calls
    coefs = [W.copy() for W in clf.coefs_]
    with pytest.raises(RuntimeError, match="boom"):
        clf.fit(X, y)
    for old, new in zip(coefs, clf.coefs_):
        np.testing.assert_array_equal(old, new)
    assert clf.n_iter_ == 3


def test_keyboard_interrupt_stops_with_a_consistent_model(tiny_digits):
    X, y = tiny_digits

    class Interrupts(Identity):
        calls = 0

        def forward(self, X, *, training=True):
            if training:
                type(self).calls += 1
                if type(self).calls == 40:  # during the fifth epoch
                    raise KeyboardInterrupt
            return X

    stack = [Linear(8), Interrupts(), Linear(), SoftmaxOutput()]
    clf = tutorial(layers=stack, max_iter=50, random_state=0)
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    assert clf.n_iter_ == 4
    assert len(clf.loss_curve_) == 4
    assert clf.best_epoch_ <= 4
    assert np.isfinite(clf.predict_proba(X)).all()


def test_divergence_under_early_stopping_keeps_the_best_epoch(tiny_digits):
    X, y = tiny_digits

    class PoisonsLater(Identity):
        calls = 0

        def backward(self, grad_out):
            type(self).calls += 1
            return grad_out * np.nan if type(self).calls > 30 else grad_out

    stack = [Linear(8), PoisonsLater(), Linear(), SoftmaxOutput()]
    clf = tutorial(layers=stack, max_iter=50, random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged at epoch 4"), np.errstate(all="ignore"):
        clf.fit(X, y)
    assert all(np.isfinite(W).all() for W in clf.coefs_)
    assert clf.best_epoch_ <= 3
    assert np.isfinite(clf.predict_proba(X)).all()


# --- warm start as in scikit-learn ----------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        dict(hidden_layer_sizes=(12,)),
        dict(activation="tanh"),
        dict(layers=[Linear(10), Tanh(), Linear(), SoftmaxOutput()]),
    ],
)
def test_warm_start_refuses_a_new_architecture(change, tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(warm_start=True), X, y)
    clf.set_params(**change)
    with pytest.raises(ValueError, match="warm_start=False"):
        clf.fit(X, y)


def test_warm_start_refuses_other_classes(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(warm_start=True), X, y)
    with pytest.raises(ValueError, match="warm_start=False"):
        clf.fit(X, y % 5)


def test_warm_start_applies_a_new_learning_rate(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(warm_start=True, early_stopping=False), X, y)
    before = [W.copy() for W in clf.coefs_]
    clf.set_params(learning_rate_init=1e-12)
    fit_quietly(clf, X, y)
    for old, new in zip(before, clf.coefs_):
        np.testing.assert_allclose(new, old, atol=1e-9)
    assert clf.history_["learning_rate"].iloc[-1] == 1e-12


def test_warm_start_best_epoch_is_this_fits(tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(max_iter=40, warm_start=True), X, y)
    first_fit_epochs = len(clf.loss_curve_)
    fit_quietly(clf, X, y)
    assert clf.best_epoch_ > first_fit_epochs or clf.n_iter_ >= 1
    kept = clf.history_.set_index("epoch").loc[clf.best_epoch_, "val_loss"]
    assert clf.best_validation_loss_ == kept
    assert clf.best_epoch_ > first_fit_epochs  # numbered after the first fit's epochs


# --- the output layer owns its prediction; no silent NaN --------------------------


def test_a_custom_output_layer_changes_predict_proba(tiny_digits):
    X, y = tiny_digits

    class HotSoftmax(SoftmaxOutput):
        def forward(self, X, *, training=True):
            return super().forward(X / 3.0, training=training)

    plain = fit_quietly(fast(), X, y)
    hot = fast(layers=[Linear(10), Logistic(), Linear(), HotSoftmax()])
    hot = fit_quietly(hot, X, y)
    np.testing.assert_array_equal(hot.coefs_[0], hot.coefs_[0])
    P = hot.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    Z = X @ hot.coefs_[0] + hot.intercepts_[0]
    Z = 1 / (1 + np.exp(-Z)) @ hot.coefs_[1] + hot.intercepts_[1]
    expected = np.exp(Z / 3 - (Z / 3).max(axis=1, keepdims=True))
    np.testing.assert_allclose(P, expected / expected.sum(axis=1, keepdims=True), rtol=1e-6)
    assert not np.allclose(P, plain.predict_proba(X))


def test_a_layer_that_is_nan_only_when_predicting_is_an_error(tiny_digits):
    X, y = tiny_digits

    class NanWhenPredicting(Identity):
        def forward(self, X, *, training=True):
            return X if training else X * np.nan

    stack = [Linear(8), NanWhenPredicting(), Linear(), SoftmaxOutput()]
    with pytest.raises(ValueError, match=r"validation loss|overflow|finite"):
        tutorial(layers=stack, random_state=0).fit(X, y)  # early stopping validates
    clf = MLPLayerClassifier(layers=stack, random_state=0, max_iter=2)
    fit_quietly(clf, X, y)
    with pytest.raises(ValueError, match=r"overflow|finite"):
        clf.predict_proba(X)


@pytest.mark.parametrize("activation", ["logistic", "relu"])
def test_inputs_near_the_float_maximum_never_give_nan(activation, tiny_digits):
    X, y = tiny_digits
    clf = fit_quietly(fast(activation=activation), X, y)
    huge = np.full((2, 64), 1e308)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning either
        if activation == "logistic":  # saturated units: finite, normalised probabilities
            P = clf.predict_proba(huge)
            assert np.isfinite(P).all()
            np.testing.assert_allclose(P.sum(axis=1), 1.0)
            return
        with pytest.raises(ValueError, match="overflows the network"):
            clf.predict_proba(huge)
        with pytest.raises(ValueError, match="overflows the network"):
            clf.predict_log_proba(huge)


def test_partial_fit_validation_data_is_validated_like_X(tiny_digits):
    X, y = tiny_digits
    X_bad = X[:20].copy()
    X_bad[0, 0] = np.inf
    clf = fast()
    with pytest.raises(ValueError, match="infinity"):
        clf.partial_fit(X, y, classes=np.arange(10), X_val=X_bad, y_val=y[:20])
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X, y, classes=np.arange(10), X_val=X[:20, :5], y_val=y[:20])
    with pytest.raises(NotFittedError):
        clf.predict(X)


# --- layer objects ----------------------------------------------------------------


def test_a_reused_activation_object_trains_as_two_layers(tiny_digits):
    X, y = tiny_digits
    act = Tanh()
    shared = [Linear(6), act, Linear(6), act, Linear(), SoftmaxOutput()]
    separate = [Linear(6), Tanh(), Linear(6), Tanh(), Linear(), SoftmaxOutput()]
    a = fit_quietly(fast(layers=shared), X, y)
    b = fit_quietly(fast(layers=separate), X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = fit_quietly(clone(a), X, y)
    np.testing.assert_array_equal(a.predict_proba(X), c.predict_proba(X))


def test_a_parametrised_layer_placed_twice_is_refused(tiny_digits):
    X, y = tiny_digits
    lin = Linear(64)
    with pytest.raises(ValueError, match="shar"):
        MLPLayerClassifier(layers=[lin, ReLU(), lin, Linear(), SoftmaxOutput()]).fit(X, y)

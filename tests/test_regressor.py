"""MLPLayerRegressor: sklearn's parameters and layout, targets, solvers, the transactional fit."""

import inspect
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPLayerRegressor, check_gradients
from skmlp.layers import ExpOutput, IdentityOutput, Linear, ReLU, Tanh

FAST = dict(hidden_layer_sizes=(16,), max_iter=200, learning_rate_init=0.01, random_state=0)


@pytest.fixture(scope="module")
def friedman():
    X, y = make_friedman1(n_samples=300, noise=0.5, random_state=0)
    return StandardScaler().fit_transform(X), y


def _fit(model, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(*args, **kwargs)


def test_every_sklearn_parameter_keeps_its_name_order_and_default():
    ours = inspect.signature(MLPLayerRegressor).parameters
    theirs = inspect.signature(MLPRegressor).parameters
    shared = [name for name in ours if name in theirs]
    assert shared == list(theirs)  # same order, nothing missing
    for name in theirs:
        assert ours[name].default == theirs[name].default, name
        assert ours[name].kind == theirs[name].kind, name
    # scikit-learn's MLPRegressor has a loss parameter from 1.7 on
    own = {"layers", "weight_init", "scoring"} | ({"loss"} if "loss" not in theirs else set())
    assert set(ours) - set(theirs) == own


def test_default_fit_predicts_a_vector_and_scores_r2(friedman):
    X, y = friedman
    model = _fit(MLPLayerRegressor(**FAST), X, y)
    assert model.predict(X).shape == (len(X),)
    assert model.n_outputs_ == 1
    assert model.out_activation_ == "identity"
    assert [W.shape for W in model.coefs_] == [(10, 16), (16, 1)]
    assert model.score(X, y) > 0.8
    assert list(model.history_.columns) == [
        "epoch",
        "train_loss",
        "val_loss",
        "val_r2",
        "learning_rate",
        "seconds",
    ]


def test_regressor_matches_sklearn_under_lbfgs(friedman):
    X, y = friedman
    ours = _fit(MLPLayerRegressor(solver="lbfgs", max_iter=50, random_state=0), X, y)
    theirs = _fit(MLPRegressor(solver="lbfgs", max_iter=50, random_state=0), X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6, atol=1e-8)


def test_multi_output_targets(friedman):
    X, y = friedman
    Y = np.column_stack([y, -2 * y, y**0.5])
    model = _fit(MLPLayerRegressor(**FAST), X, Y)
    assert model.predict(X).shape == (len(X), 3)
    assert model.n_outputs_ == 3
    assert model.score(X, Y) > 0.7
    with pytest.raises(ValueError, match="warm_start=False"):
        _fit(model.set_params(warm_start=True), X, y)


def test_column_target_becomes_a_vector_with_sklearns_warning(friedman):
    X, y = friedman
    from sklearn.exceptions import DataConversionWarning

    with pytest.warns(DataConversionWarning):
        model = _fit(MLPLayerRegressor(**FAST), X, y[:, None])
    assert model.predict(X).shape == (len(X),)


def test_poisson_loss_uses_an_exponential_output(rng):
    X = rng.normal(size=(400, 3))
    y = rng.poisson(np.exp(0.5 * X[:, 0] + 0.2))
    model = _fit(MLPLayerRegressor(loss="poisson", **FAST), X, y)
    assert model.out_activation_ == "exp"
    assert (model.predict(X) > 0).all()
    # the fitted means track exp(0.5 x + 0.2) better than the overall mean
    truth = np.exp(0.5 * X[:, 0] + 0.2)
    assert np.mean((model.predict(X) - truth) ** 2) < np.var(truth) / 2
    with pytest.raises(ValueError, match="negative"):
        MLPLayerRegressor(loss="poisson").fit(X, y - 1.0)


def test_sample_weight_zero_equals_dropping_the_rows_under_lbfgs(friedman):
    X, y = friedman
    w = np.ones(len(X))
    w[::4] = 0
    weighted = _fit(MLPLayerRegressor(solver="lbfgs", max_iter=30, random_state=0), X, y, w)
    dropped = _fit(
        MLPLayerRegressor(solver="lbfgs", max_iter=30, random_state=0), X[w > 0], y[w > 0]
    )
    assert_allclose(weighted.predict(X), dropped.predict(X), rtol=1e-7, atol=1e-9)


def test_partial_fit_warm_start_and_float32(friedman):
    X, y = friedman
    X32 = X.astype(np.float32)
    model = MLPLayerRegressor(**FAST)
    for _ in range(5):
        model.partial_fit(X32, y)
    assert model.n_iter_ == 1
    assert len(model.loss_curve_) == 5
    assert model.coefs_[0].dtype == np.float32
    assert model.predict(X32).dtype == np.float32
    warm = _fit(MLPLayerRegressor(**FAST, warm_start=True), X, y)
    first = warm.loss_curve_[-1]
    _fit(warm, X, y)
    assert len(warm.loss_curve_) == 2 * warm.n_iter_
    assert warm.loss_curve_[-1] < first


def test_partial_fit_is_unavailable_under_lbfgs():
    model = MLPLayerRegressor(solver="lbfgs")
    assert not hasattr(model, "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit"):
        getattr(model, "partial_fit")  # noqa: B009


def test_sparse_input_gives_the_dense_model(friedman):
    X, y = friedman
    dense = _fit(MLPLayerRegressor(**FAST), X, y)
    sparse = _fit(MLPLayerRegressor(**FAST), sp.csr_matrix(X), y)
    assert_allclose(sparse.predict(X), dense.predict(X), rtol=1e-9, atol=1e-9)


def test_early_stopping_monitors_the_validation_loss_and_keeps_the_best_epoch(friedman):
    X, y = friedman
    model = _fit(
        MLPLayerRegressor(**{**FAST, "max_iter": 200}, early_stopping=True, n_iter_no_change=3),
        X,
        y,
    )
    losses = model.validation_loss_curve_
    best = int(np.argmin(losses))
    assert model.best_validation_loss_ == losses[best]
    assert model.best_epoch_ == best + 1
    assert model.best_validation_score_ == model.validation_scores_[best]
    assert -1 < model.best_validation_score_ <= 1  # an R²
    assert model.n_iter_ > model.best_epoch_  # it waited n_iter_no_change epochs


def test_a_failed_refit_leaves_the_model_unchanged(friedman):
    X, y = friedman
    model = _fit(MLPLayerRegressor(**FAST), X, y)
    before = model.predict(X)
    with pytest.raises(ValueError, match="NaN"):
        model.fit(X[:, :5], np.full(len(X), np.nan))
    assert_array_equal(model.predict(X), before)
    assert model.n_features_in_ == 10
    with pytest.raises(NotFittedError):
        MLPLayerRegressor().predict(X)


def test_custom_stack_chooses_its_output_and_checks_its_gradients(friedman, rng):
    X, y = friedman
    layers = [Linear(8), Tanh(), Linear(), IdentityOutput()]
    model = _fit(MLPLayerRegressor(layers=layers, **FAST), X, y)
    assert [W.shape for W in model.coefs_] == [(10, 8), (8, 1)]
    assert check_gradients(model.layers_, X[:6], y[:6]).passed
    counts = [Linear(4), ReLU(), Linear(1), ExpOutput()]
    assert check_gradients(counts, X[:6], rng.poisson(2.0, 6)).passed


def test_pipeline_clone_and_pickle(friedman):
    X, y = friedman
    pipe = make_pipeline(StandardScaler(), MLPLayerRegressor(**FAST))
    assert "mlplayerregressor__alpha" in pipe.get_params()
    _fit(pipe, X, y)
    restored = pickle.loads(pickle.dumps(pipe))
    assert_array_equal(restored.predict(X), pipe.predict(X))
    _fit(clone(pipe), X, y)


def test_an_overflowing_poisson_prediction_is_an_error_not_inf(rng):
    X = rng.normal(size=(200, 3))
    y = rng.poisson(np.exp(0.5 * X[:, 0]))
    # identity units extrapolate the log mean linearly: exp overflows far along x0
    model = _fit(MLPLayerRegressor(loss="poisson", activation="identity", **FAST), X, y)
    assert model.coefs_[0][0] @ model.coefs_[1][:, 0] > 0.1  # the log mean grows with x0
    with pytest.raises(ValueError, match="overflows"):
        model.predict(np.array([[1e6, 0.0, 0.0]]))
    assert np.isfinite(model.predict(X)).all()

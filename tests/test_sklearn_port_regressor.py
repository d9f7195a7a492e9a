"""MLPLayerRegressor against scikit-learn's own MLP tests.

Scenarios ported from scikit-learn's sklearn/neural_network/tests/test_mlp.py,
BSD-3-Clause (the scikit-learn developers), rewritten against skmlp's public
API: the same data, settings and assertions, changed only where skmlp
documents a difference, with the reason beside each change. Every test names
the scikit-learn test it ports. The classifier's half is
``test_sklearn_port_classifier.py``; tests that scikit-learn parametrizes over
both estimators are split between the two files.

Adapted (reason beside each test):

* ``test_nonfinite_params``: skmlp's own message for diverging training.
* ``test_early_stopping``: skmlp monitors the validation *loss*, so
  ``best_validation_score_`` is the R² of the lowest-loss epoch.
* ``test_mlp_partial_fit_after_fit``: skmlp's ``partial_fit`` documents that
  ``early_stopping`` applies to ``fit`` only, instead of raising.
* ``test_mlp_diverging_loss``: skmlp documents that divergence under early
  stopping restores the best epoch with a ConvergenceWarning, where
  scikit-learn keeps training and records NaN scores.
* ``test_preserve_feature_names``: the validation loss that skmlp monitors
  can keep improving on a constant target until ``max_iter``.
* ``test_minimum_input_sample_size``: the monitored validation loss is
  defined on one row, so skmlp does not need scikit-learn's two.
* ``test_mlp_vs_poisson_glm_equivalent``: scikit-learn's ``global_random_seed``
  fixture is replaced by two fixed seeds.

Added beside the port: ``test_gradient`` is a classifier test in
scikit-learn; the same check of the fitted stack is run here on the
regressor's two output layers.

Not applicable: none of the regressor's tests.
"""

import warnings

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning, UndefinedMetricWarning
from sklearn.linear_model import PoissonRegressor
from sklearn.preprocessing import MinMaxScaler, scale

from skmlp import MLPLayerRegressor, check_gradients

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]

#: scikit-learn's regression set: 200 noisy rows of 10 features, y scaled.
X_REG, _y = make_regression(n_samples=200, n_features=10, bias=20.0, noise=100.0, random_state=7)
Y_REG = scale(_y)
#: The 360 unscaled digits of two classes (the dtype tests), and the first
#: 200 scaled to [0, 1] (the early-stopping test), with the class as target.
X_DIGITS_2, Y_DIGITS_2 = load_digits(n_class=2, return_X_y=True)
X_BINARY, Y_BINARY = MinMaxScaler().fit_transform(X_DIGITS_2[:200]), Y_DIGITS_2[:200]
X_IRIS, Y_IRIS = load_iris(return_X_y=True)


def fit_quietly(estimator, X, y, **fit_params):
    """Fit without the ConvergenceWarning of a deliberately short run."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


# -- lbfgs ---------------------------------------------------------------------------


def test_lbfgs_fits_the_regression_set():
    """sklearn: test_lbfgs_regression."""
    for activation in ACTIVATIONS:
        reg = MLPLayerRegressor(
            solver="lbfgs",
            hidden_layer_sizes=50,
            max_iter=200,
            tol=1e-3,
            shuffle=True,
            random_state=1,
            activation=activation,
        )
        fit_quietly(reg, X_REG, Y_REG)
        # a linear network is a linear bottleneck; nonlinear ones fit much better
        expected = 0.80 if activation == "identity" else 0.98
        assert reg.score(X_REG, Y_REG) > expected, activation


def test_lbfgs_regression_stops_on_max_fun():
    """sklearn: test_lbfgs_regression_maxfun."""
    for activation in ACTIVATIONS:
        reg = MLPLayerRegressor(
            solver="lbfgs",
            hidden_layer_sizes=50,
            tol=0.0,
            max_iter=150,
            max_fun=10,
            shuffle=True,
            random_state=1,
            activation=activation,
        )
        with pytest.warns(ConvergenceWarning):
            reg.fit(X_REG, Y_REG)
        assert reg.n_iter_ <= 10


def test_lbfgs_fits_several_outputs():
    """sklearn: test_multioutput_regression."""
    X, y = make_regression(n_samples=200, n_targets=5, random_state=11)
    reg = MLPLayerRegressor(
        solver="lbfgs", hidden_layer_sizes=50, max_iter=200, tol=1e-2, random_state=1
    )
    fit_quietly(reg, X, y)
    assert reg.score(X, y) > 0.9


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_fitted_regressor_gradients_match_finite_differences(loss, activation):
    """Added: scikit-learn's test_gradient (a classifier test) on the regressor's outputs."""
    rng = np.random.RandomState(42)
    X = rng.rand(5, 10)
    y = rng.poisson(2.0, size=5).astype(float)  # non-negative, for the Poisson loss
    reg = MLPLayerRegressor(
        loss=loss,
        activation=activation,
        hidden_layer_sizes=10,
        solver="lbfgs",
        alpha=1e-5,
        max_iter=1,
        random_state=1,
    )
    fit_quietly(reg, X, y)
    result = check_gradients(reg.layers_, X, y.reshape(-1, 1), alpha=1e-5, eps=1e-5)
    assert result.passed, result.errors


@pytest.mark.parametrize("seed", [0, 42])
def test_poisson_loss_matches_poisson_glm(seed):
    """sklearn: test_mlp_vs_poisson_glm_equivalent.

    Adapted: scikit-learn's ``global_random_seed`` fixture (its conftest) is
    replaced by two fixed seeds, 42 being its default. One identity hidden
    unit makes the network a GLM with the log link: predictions equal
    PoissonRegressor's, while the squared error (identity output) does not.
    """
    n = 100
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, n)
    y = rng.poisson(np.exp(x + 1))
    X = x.reshape(n, -1)
    glm = PoissonRegressor(alpha=0, tol=1e-7).fit(X, y)
    params = dict(hidden_layer_sizes=(1,), activation="identity", alpha=0, solver="lbfgs", tol=1e-7)
    poisson = MLPLayerRegressor(
        loss="poisson", random_state=np.random.RandomState(seed + 1), **params
    ).fit(X, y)
    np.testing.assert_allclose(poisson.predict(X), glm.predict(X), rtol=1e-4)
    squared = MLPLayerRegressor(
        loss="squared_error", random_state=np.random.RandomState(seed + 1), **params
    ).fit(X, y)
    assert not np.allclose(squared.predict(X), glm.predict(X), rtol=1e-4)


# -- partial_fit -----------------------------------------------------------------


@pytest.mark.parametrize("momentum", [0, 0.9])
def test_partial_fit_epochs_equal_fit_for_regression(momentum):
    """sklearn: test_partial_fit_regression."""
    common = dict(
        solver="sgd",
        activation="relu",
        random_state=1,
        learning_rate_init=0.01,
        batch_size=X_REG.shape[0],
        momentum=momentum,
    )
    reg = fit_quietly(MLPLayerRegressor(max_iter=100, **common), X_REG, Y_REG)
    by_fit = reg.predict(X_REG)
    reg = MLPLayerRegressor(**common)
    for _ in range(100):
        reg.partial_fit(X_REG, Y_REG)
    np.testing.assert_allclose(reg.predict(X_REG), by_fit)
    assert reg.score(X_REG, Y_REG) > 0.65


def test_partial_fit_after_unpickling_updates_the_weights(tmp_path):
    """sklearn: test_mlp_loading_from_joblib_partial_fit (scikit-learn#19626)."""
    reg = MLPLayerRegressor(
        hidden_layer_sizes=(42,), random_state=42, learning_rate_init=0.01, max_iter=200
    )
    fit_quietly(reg, [[2]], [4])
    path = tmp_path / "mlp.pkl"
    joblib.dump(reg, path)
    loaded = joblib.load(path)
    for _ in range(200):
        loaded.partial_fit([[2]], [1])
    np.testing.assert_allclose(loaded.predict([[2]]), [1], rtol=1e-4)


def test_regressor_partial_fit_after_early_stopped_fit():
    """sklearn: test_mlp_partial_fit_after_fit, regressor half (scikit-learn#25693).

    Adapted: scikit-learn raises "partial_fit does not support
    early_stopping=True". skmlp documents that ``early_stopping`` and
    ``validation_fraction`` apply to ``fit`` only: ``partial_fit`` trains one
    epoch on every row it is given.
    """
    reg = fit_quietly(MLPLayerRegressor(early_stopping=True, random_state=0), X_IRIS, Y_IRIS)
    t_before = reg.t_
    reg.partial_fit(X_IRIS, Y_IRIS)
    assert reg.n_iter_ == 1
    assert reg.t_ == t_before + len(X_IRIS)  # nothing held out


# -- data handling -----------------------------------------------------------------


def test_huge_inputs_raise_instead_of_nonfinite_weights():
    """sklearn: test_nonfinite_params.

    Adapted: scikit-learn's message is "Solver produced non-finite parameter
    weights ..."; skmlp's documented ValueError for diverging training without
    early stopping says "Training diverged ..." and leaves the estimator
    unfitted.
    """
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.standard_normal(size=10)
    reg = MLPLayerRegressor()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow
        with pytest.raises(ValueError, match="Training diverged"):
            reg.fit(X, y)
    assert not hasattr(reg, "n_iter_")


def test_shuffle_changes_training():
    """sklearn: test_shuffle."""
    X, y = make_regression(n_samples=50, n_features=5, n_targets=1, random_state=0)
    params = dict(hidden_layer_sizes=1, max_iter=1, batch_size=1, random_state=0)
    for shuffle in (True, False):
        first = fit_quietly(MLPLayerRegressor(shuffle=shuffle, **params), X, y)
        second = fit_quietly(MLPLayerRegressor(shuffle=shuffle, **params), X, y)
        np.testing.assert_array_equal(first.coefs_[0], second.coefs_[0])
    shuffled = fit_quietly(MLPLayerRegressor(shuffle=True, **params), X, y)
    in_order = fit_quietly(MLPLayerRegressor(shuffle=False, **params), X, y)
    assert not np.array_equal(shuffled.coefs_[0], in_order.coefs_[0])


def test_regressor_float32_predicts_as_float64():
    """sklearn: test_mlp_regressor_dtypes_casting."""
    params = dict(alpha=1e-5, hidden_layer_sizes=(5, 3), random_state=1, max_iter=150, tol=1e-3)
    X_train, y_train, X_test = X_DIGITS_2[:300], Y_DIGITS_2[:300], X_DIGITS_2[300:]
    reg_64 = fit_quietly(MLPLayerRegressor(**params), X_train, y_train)
    reg_32 = fit_quietly(MLPLayerRegressor(**params), X_train.astype(np.float32), y_train)
    np.testing.assert_allclose(
        reg_64.predict(X_test), reg_32.predict(X_test.astype(np.float32)), rtol=5e-4
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_regressor_parameters_and_predictions_keep_the_input_dtype(dtype):
    """sklearn: test_mlp_param_dtypes, regressor half."""
    X = X_DIGITS_2.astype(dtype)
    reg = MLPLayerRegressor(
        alpha=1e-5, hidden_layer_sizes=(5, 3), random_state=1, max_iter=50, tol=1e-1
    )
    fit_quietly(reg, X[:300], Y_DIGITS_2[:300])
    pred = reg.predict(X[300:])
    assert all(b.dtype == dtype for b in reg.intercepts_)
    assert all(W.dtype == dtype for W in reg.coefs_)
    assert pred.dtype == dtype


def test_regressor_keeps_feature_names_under_early_stopping():
    """sklearn: test_preserve_feature_names, regressor half (scikit-learn#24846).

    Adapted: the ConvergenceWarning (a UserWarning) is let through. On this
    constant target scikit-learn's monitored R² never changes, so it stops
    after ``n_iter_no_change`` epochs; skmlp monitors the validation loss,
    which for some seeds keeps falling by more than ``tol`` until
    ``max_iter``. Any other UserWarning, such as "X has feature names, but
    ... was fitted without", is an error, as in scikit-learn.
    """
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(10, 2), columns=["colname_a", "colname_b"])
    y = pd.Series(np.full(10, 1), name="colname_y")
    reg = MLPLayerRegressor(early_stopping=True, validation_fraction=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)


def test_unit_sample_weight_equals_none_under_early_stopping():
    """sklearn: test_mlp_sample_weight_with_early_stopping."""
    X, y = make_regression(n_samples=100, n_features=2, n_informative=2, random_state=42)
    params = dict(
        hidden_layer_sizes=10,
        solver="adam",
        early_stopping=True,
        tol=1e-2,
        learning_rate_init=0.01,
        batch_size=10,
        random_state=42,
    )
    weighted = fit_quietly(MLPLayerRegressor(**params), X, y, sample_weight=np.ones_like(y))
    unweighted = fit_quietly(MLPLayerRegressor(**params), X, y, sample_weight=None)
    np.testing.assert_allclose(weighted.predict(X), unweighted.predict(X))


# -- stopping --------------------------------------------------------------------


def test_regressor_early_stopping_attributes():
    """sklearn: test_early_stopping, regressor half.

    Adapted: skmlp monitors the validation *loss* (its one documented
    difference in meaning; scikit-learn#24411), so ``best_validation_score_``
    is the R² of the lowest-loss epoch rather than the highest R², and ``tol``
    is an amount of squared error. The stopping rule scikit-learn checks on
    the scores is checked on ``validation_loss_curve_``.
    """
    X, y = X_BINARY[:100], Y_BINARY[:100]
    tol = 0.2
    reg = MLPLayerRegressor(tol=tol, max_iter=3000, solver="sgd", early_stopping=True)
    reg.fit(X, y)
    assert reg.max_iter > reg.n_iter_
    assert reg.best_loss_ is None
    assert isinstance(reg.validation_scores_, list)
    assert len(reg.validation_scores_) == reg.n_iter_
    val_loss = reg.validation_loss_curve_
    assert min(val_loss) == reg.best_validation_loss_
    assert reg.best_validation_score_ == reg.validation_scores_[reg.best_epoch_ - 1]
    assert reg.best_validation_loss_ - tol < val_loss[-2]
    assert reg.best_validation_loss_ - tol < val_loss[-1]

    reg = MLPLayerRegressor(tol=tol, max_iter=3000, solver="sgd", early_stopping=False)
    reg.fit(X, y)
    assert reg.validation_scores_ is None
    assert reg.best_validation_score_ is None
    assert reg.best_loss_ is not None


def test_diverging_training_under_early_stopping_keeps_a_model():
    """sklearn: test_mlp_diverging_loss (scikit-learn#29504).

    Adapted: scikit-learn keeps training and records a NaN validation score.
    skmlp documents that training which diverges under early stopping
    restores the best epoch's weights with a ConvergenceWarning; what both
    promise is that the fit does not raise.
    """
    reg = MLPLayerRegressor(
        hidden_layer_sizes=100,
        activation="identity",
        solver="sgd",
        alpha=0.0001,
        learning_rate="constant",
        learning_rate_init=1,
        shuffle=True,
        max_iter=20,
        early_stopping=True,
        n_iter_no_change=10,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in matmul
        with pytest.warns(ConvergenceWarning, match="diverged"):
            reg.fit(X_IRIS, Y_IRIS)
    assert all(isinstance(score, float) for score in reg.validation_scores_)
    assert np.isfinite(reg.predict(X_IRIS)).all()


def test_one_validation_row_is_enough_for_the_loss():
    """sklearn: test_minimum_input_sample_size.

    Adapted: scikit-learn raises "The validation set is too small" because
    its early stopping monitors R², undefined on one row. skmlp monitors the
    validation loss, which one held-out row defines, so the fit works; the
    R² it records beside the loss is NaN (with sklearn's
    UndefinedMetricWarning).
    """
    X, y = make_regression(n_samples=2, n_features=5, random_state=0)
    reg = MLPLayerRegressor(early_stopping=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        fit_quietly(reg, X, y)
    assert np.isfinite(reg.validation_loss_curve_).all()
    assert np.isnan(reg.validation_scores_).all()


# -- warm start --------------------------------------------------------------------


def test_regressor_warm_start_runs_max_iter_again():
    """sklearn: test_warm_start_full_iteration, regressor half (scikit-learn#16812)."""
    reg = MLPLayerRegressor(hidden_layer_sizes=2, solver="sgd", warm_start=True, max_iter=3)
    fit_quietly(reg, X_IRIS, Y_IRIS)
    assert reg.n_iter_ == 3
    fit_quietly(reg, X_IRIS, Y_IRIS)
    assert reg.n_iter_ == 3


def test_regressor_warm_start_extends_validation_scores():
    """sklearn: test_mlp_warm_start_with_early_stopping, regressor half."""
    reg = MLPLayerRegressor(max_iter=10, random_state=0, warm_start=True, early_stopping=True)
    fit_quietly(reg, X_IRIS, Y_IRIS)
    n_scores = len(reg.validation_scores_)
    reg.set_params(max_iter=20)
    fit_quietly(reg, X_IRIS, Y_IRIS)
    assert len(reg.validation_scores_) > n_scores


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_regressor_warm_start_stops_at_max_iter(solver):
    """sklearn: test_mlp_warm_start_no_convergence, regressor half (scikit-learn#24764)."""
    reg = MLPLayerRegressor(
        solver=solver,
        warm_start=True,
        early_stopping=False,
        max_iter=10,
        n_iter_no_change=np.inf,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        reg.fit(X_IRIS, Y_IRIS)
    assert reg.n_iter_ == 10
    reg.set_params(max_iter=20)
    with pytest.warns(ConvergenceWarning):
        reg.fit(X_IRIS, Y_IRIS)
    assert reg.n_iter_ == 20

"""solver="lbfgs": full-batch L-BFGS with sklearn's counting, warnings and weights."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skmlp import MLPLayerClassifier, MLPLayerRegressor
from skmlp.layers import Linear, ReLU, SoftmaxOutput


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_iterations_losses_and_sklearns_model(iris):
    X, y = iris
    ours = MLPLayerClassifier(solver="lbfgs", hidden_layer_sizes=(10,), random_state=0)
    theirs = MLPClassifier(solver="lbfgs", hidden_layer_sizes=(10,), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y)
        theirs.fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert len(ours.loss_curve_) == ours.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    assert ours.loss_curve_[-1] == pytest.approx(ours.loss_)
    assert ours.loss_curve_[0] > ours.loss_curve_[-1]
    assert ours.t_ == 0  # as scikit-learn: no stochastic samples seen
    # 200 iterations amplify rounding differences of the two implementations
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("limit", [{"max_iter": 3}, {"max_fun": 4}])
def test_stopping_on_a_limit_warns(iris, limit):
    X, y = iris
    model = MLPLayerClassifier(solver="lbfgs", random_state=0, **limit)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        model.fit(X, y)
    assert model.n_iter_ <= limit.get("max_iter", 15000)


def test_integer_weights_equal_repeated_rows(iris):
    X, y = iris
    w = np.random.RandomState(0).randint(0, 3, len(X))
    kwargs = dict(solver="lbfgs", hidden_layer_sizes=(5,), max_iter=40, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = MLPLayerClassifier(**kwargs).fit(X, y, sample_weight=w)
        repeated = MLPLayerClassifier(**kwargs).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-6, atol=1e-9)


def test_early_stopping_is_ignored_and_warm_start_continues(iris):
    X, y = iris
    model = MLPLayerClassifier(
        solver="lbfgs", early_stopping=True, max_iter=5, warm_start=True, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
        assert model.validation_scores_ is None
        first = model.loss_
        model.fit(X, y)
    assert model.n_iter_ == 5
    assert len(model.loss_curve_) == 10
    assert model.loss_ < first
    assert model.history_["epoch"].tolist() == list(range(1, 11))


def test_from_adam_to_lbfgs_by_warm_start(iris):
    X, _ = iris
    model = MLPLayerRegressor(max_iter=5, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[:, :3], X[:, 3])
        adam_loss = model.loss_
        model.set_params(solver="lbfgs", max_iter=50).fit(X[:, :3], X[:, 3])
    assert model.loss_ < adam_loss


def test_verbose_prints_each_iteration(iris, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPLayerClassifier(solver="lbfgs", max_iter=3, verbose=True, random_state=0).fit(*iris)
    assert capsys.readouterr().out.count("Iteration") == 3


def test_float32_stays_float32(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPLayerClassifier(solver="lbfgs", max_iter=20, random_state=0)
        model.fit(X.astype(np.float32), y)
    assert all(W.dtype == np.float32 for W in model.coefs_)
    assert model.predict_proba(X.astype(np.float32)).dtype == np.float32


class _Flaky(ReLU):
    """A ReLU that raises on its ``fail_at``-th training-mode forward pass (a class counter)."""

    calls, fail_at = 0, None

    def forward(self, X, *, training=True):
        if training:
            type(self).calls += 1
            if type(self).fail_at is not None and type(self).calls >= type(self).fail_at:
                raise RuntimeError("flaky layer")
        return super().forward(X, training=training)


@pytest.mark.parametrize("warm_start", [False, True])
def test_a_fit_failing_inside_lbfgs_leaves_the_estimator_as_it_was(iris, warm_start):
    X, y = iris
    layers = [Linear(6), _Flaky(), Linear(), SoftmaxOutput()]
    model = MLPLayerClassifier(
        layers=layers, solver="lbfgs", max_iter=15, warm_start=warm_start, random_state=0
    )
    _Flaky.calls, _Flaky.fail_at = 0, 5  # a first fit failing in its 5th loss evaluation
    with pytest.raises(RuntimeError, match="flaky"):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)
    _Flaky.fail_at = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    before = (model.predict_proba(X).copy(), model.n_iter_, list(model.loss_curve_))
    _Flaky.calls, _Flaky.fail_at = 0, 5  # a refit failing half-way through
    with pytest.raises(RuntimeError, match="flaky"):
        model.fit(X, y)
    _Flaky.fail_at = None
    np.testing.assert_array_equal(model.predict_proba(X), before[0])
    assert (model.n_iter_, model.loss_curve_) == before[1:]

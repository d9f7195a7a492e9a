"""A validation set of your own: X_val, y_val, sample_weight_val in fit and partial_fit."""

import warnings

import numpy as np
import pytest
from sklearn import config_context
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPLayerClassifier, MLPLayerRegressor

FAST = dict(hidden_layer_sizes=(8,), max_iter=15, random_state=0)


def fit_quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


@pytest.fixture(scope="module")
def split(tiny_digits):
    X, y = tiny_digits
    return X[:220], y[:220], X[220:], y[220:]


def assert_same_weights(a, b):
    for W_a, W_b in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(W_a, W_b)


def test_early_stopping_monitors_x_val_and_holds_nothing_out(split):
    X, y, X_val, y_val = split
    clf = MLPLayerClassifier(
        hidden_layer_sizes=(8,),
        max_iter=300,
        learning_rate_init=0.1,
        early_stopping=True,
        n_iter_no_change=5,
        random_state=0,
    ).fit(X, y, X_val=X_val, y_val=y_val)
    assert clf.n_iter_ < 300  # stopped on the plateau of the X_val loss
    assert clf.t_ == clf.n_iter_ * len(X)  # every row of X was trained on
    assert clf.best_validation_loss_ == min(clf.validation_loss_curve_)
    # the restored weights are those of the best X_val loss
    assert log_loss(y_val, clf.predict_proba(X_val), labels=clf.classes_) == pytest.approx(
        clf.best_validation_loss_, rel=1e-6
    )
    hold_out = MLPLayerClassifier(**clf.get_params()).fit(X, y)
    assert hold_out.t_ < hold_out.n_iter_ * len(X)  # without X_val a share is held out


def test_without_early_stopping_x_val_is_recorded_not_stopped_on(split):
    X, y, X_val, y_val = split
    plain = fit_quietly(MLPLayerClassifier(**FAST), X, y)
    watched = fit_quietly(MLPLayerClassifier(**FAST), X, y, X_val=X_val, y_val=y_val)
    assert_same_weights(plain, watched)  # training is unchanged
    assert watched.n_iter_ == plain.n_iter_
    assert plain.validation_loss_curve_ is None
    assert len(watched.validation_loss_curve_) == watched.n_iter_
    assert watched.history_["val_loss"].notna().all()
    assert watched.validation_loss_curve_[-1] == pytest.approx(
        log_loss(y_val, watched.predict_proba(X_val), labels=watched.classes_), rel=1e-6
    )
    assert watched.validation_scores_[-1] == pytest.approx(watched.score(X_val, y_val))
    assert watched.best_validation_loss_ == min(watched.validation_loss_curve_)
    best = watched.validation_loss_curve_[watched.best_epoch_ - 1]
    assert best == watched.best_validation_loss_


def test_sample_weight_val_weights_the_validation_loss(split):
    X, y, X_val, y_val = split
    sw_val = np.where(y_val == 3, 5.0, 1.0)
    clf = fit_quietly(
        MLPLayerClassifier(**FAST), X, y, X_val=X_val, y_val=y_val, sample_weight_val=sw_val
    )
    expected = log_loss(y_val, clf.predict_proba(X_val), sample_weight=sw_val, labels=clf.classes_)
    assert clf.validation_loss_curve_[-1] == pytest.approx(expected, rel=1e-6)
    unweighted = fit_quietly(MLPLayerClassifier(**FAST), X, y, X_val=X_val, y_val=y_val)
    assert clf.validation_loss_curve_[-1] != pytest.approx(unweighted.validation_loss_curve_[-1])


def test_lbfgs_records_the_x_val_loss_of_every_iteration(split):
    X, y, X_val, y_val = split
    clf = fit_quietly(MLPLayerClassifier(**FAST, solver="lbfgs"), X, y, X_val=X_val, y_val=y_val)
    plain = fit_quietly(MLPLayerClassifier(**FAST, solver="lbfgs"), X, y)
    assert_same_weights(plain, clf)
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    assert clf.validation_loss_curve_[-1] == pytest.approx(
        log_loss(y_val, clf.predict_proba(X_val), labels=clf.classes_), rel=1e-6
    )


def test_regressor_early_stopping_on_x_val(split):
    X, y, X_val, y_val = split
    y, y_val = y.astype(float), y_val.astype(float)
    reg = MLPLayerRegressor(
        hidden_layer_sizes=(8,),
        max_iter=300,
        learning_rate_init=0.05,
        early_stopping=True,
        n_iter_no_change=5,
        random_state=0,
    ).fit(X, y, X_val=X_val, y_val=y_val)
    assert reg.t_ == reg.n_iter_ * len(X)
    # the regressor's loss is half the squared error
    assert reg.best_validation_loss_ == pytest.approx(
        mean_squared_error(y_val, reg.predict(X_val)) / 2, rel=1e-6
    )
    assert reg.best_validation_loss_ == min(reg.validation_loss_curve_)


def test_partial_fit_takes_x_val(split):
    X, y, X_val, y_val = split
    clf = MLPLayerClassifier(**FAST)
    for _ in range(3):
        clf.partial_fit(X, y, classes=np.arange(10), X_val=X_val, y_val=y_val)
    assert len(clf.validation_loss_curve_) == 3
    assert clf.validation_loss_curve_[-1] == pytest.approx(
        log_loss(y_val, clf.predict_proba(X_val), labels=clf.classes_), rel=1e-6
    )
    reg = MLPLayerRegressor(**FAST).partial_fit(X, y.astype(float), X_val=X_val, y_val=y_val)
    assert len(reg.validation_loss_curve_) == 1


@pytest.mark.parametrize("Estimator", [MLPLayerClassifier, MLPLayerRegressor])
def test_validation_data_is_deprecated_for_x_val(split, Estimator):
    X, y, X_val, y_val = split
    y, y_val = (y, y_val) if Estimator is MLPLayerClassifier else (y * 1.0, y_val * 1.0)
    extra = {"classes": np.arange(10)} if Estimator is MLPLayerClassifier else {}
    new = Estimator(**FAST).partial_fit(X, y, X_val=X_val, y_val=y_val, **extra)
    old = Estimator(**FAST)
    with pytest.warns(FutureWarning, match="X_val"):
        old.partial_fit(X, y, validation_data=(X_val, y_val), **extra)
    assert old.validation_loss_curve_ == new.validation_loss_curve_
    with pytest.raises(ValueError, match="not both"):
        Estimator(**FAST).partial_fit(
            X, y, X_val=X_val, y_val=y_val, validation_data=(X_val, y_val), **extra
        )


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ("inf", "infinity"),
        ("narrow", "features"),
        ("unknown_label", "not in classes_"),
        ("no_y_val", "passed together"),
        ("no_X_val", "passed together"),
        ("short_y_val", "inconsistent numbers of samples"),
        ("negative_weight", "Negative values"),
    ],
)
def test_x_val_is_checked_like_x_and_a_bad_one_changes_nothing(split, bad, match):
    X, y, X_val, y_val = split
    X_inf = X_val.copy()
    X_inf[0, 0] = np.inf
    kwargs = {
        "inf": dict(X_val=X_inf, y_val=y_val),
        "narrow": dict(X_val=X_val[:, :10], y_val=y_val),
        "unknown_label": dict(X_val=X_val, y_val=np.full(len(y_val), 42)),
        "no_y_val": dict(X_val=X_val),
        "no_X_val": dict(y_val=y_val),
        "short_y_val": dict(X_val=X_val, y_val=y_val[:5]),
        "negative_weight": dict(X_val=X_val, y_val=y_val, sample_weight_val=-np.ones(len(y_val))),
    }[bad]
    clf = MLPLayerClassifier(**FAST)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y, **kwargs)
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_x_val_takes_the_dtype_of_x(split):
    X, y, X_val, y_val = split
    clf = fit_quietly(MLPLayerClassifier(**FAST), X.astype(np.float32), y, X_val=X_val, y_val=y_val)
    assert clf.coefs_[0].dtype == np.float32
    assert len(clf.validation_loss_curve_) == clf.n_iter_


def test_x_val_with_other_feature_names_is_refused(split):
    pd = pytest.importorskip("pandas")
    X, y, X_val, y_val = split
    columns = [f"px{i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    fit_quietly(
        MLPLayerClassifier(**FAST),
        frame,
        y,
        X_val=pd.DataFrame(X_val, columns=columns),
        y_val=y_val,
    )
    renamed = pd.DataFrame(X_val, columns=columns[::-1])
    with pytest.raises(ValueError, match="feature names"):
        MLPLayerClassifier(**FAST).fit(frame, y, X_val=renamed, y_val=y_val)


def test_x_val_routed_and_transformed_by_a_pipeline(split):
    X, y, X_val, y_val = split
    X, X_val = X * 16, X_val * 16  # unscaled: the scaler matters
    with config_context(enable_metadata_routing=True):
        mlp = MLPLayerClassifier(**FAST).set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)], transform_input=["X_val"])
        fit_quietly(pipe, X, y, X_val=X_val, y_val=y_val)
    scaler = StandardScaler().fit(X)
    by_hand = fit_quietly(
        MLPLayerClassifier(**FAST),
        scaler.transform(X),
        y,
        X_val=scaler.transform(X_val),
        y_val=y_val,
    )
    assert_same_weights(pipe[-1], by_hand)
    assert pipe[-1].validation_loss_curve_ == by_hand.validation_loss_curve_


def test_x_val_through_pipeline_fit_params_without_routing(split):
    X, y, X_val, y_val = split
    pipe = Pipeline([("mlp", MLPLayerClassifier(**FAST))])
    fit_quietly(pipe, X, y, mlp__X_val=X_val, mlp__y_val=y_val)
    assert len(pipe[-1].validation_loss_curve_) == pipe[-1].n_iter_

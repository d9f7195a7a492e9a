"""scikit-learn's callback API: tasks per fit and epoch, fitted estimators, stopping, teardown."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPLayerClassifier, MLPLayerRegressor
from skmlp.layers import Identity, Linear, SoftmaxOutput

callback = pytest.importorskip(
    "sklearn.callback", reason="needs scikit-learn >= 1.9 (sklearn.callback)"
)

FAST = dict(hidden_layer_sizes=(8,), max_iter=6, random_state=0)


class Recorder:
    """Keeps every hook call: (hook, task name, task id, parent task name, arguments)."""

    def __init__(self, stop_at=None, fail_at=None):
        self.calls, self.setups, self.teardowns = [], 0, 0
        self.stop_at, self.fail_at = stop_at, fail_at

    def setup(self, estimator, context):
        self.setups += 1

    def teardown(self, estimator, context):
        self.teardowns += 1

    def _record(self, hook, context, **kwargs):
        parent = None if context.parent is None else context.parent.task_name
        self.calls.append((hook, context.task_name, context.task_id, parent, kwargs))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None):
        self._record("begin", context, X=X, y=y, metadata=metadata)

    def on_fit_task_end(
        self, estimator, context, *, X=None, y=None, metadata=None, fitted_estimator=None
    ):
        self._record("end", context, X=X, y=y, metadata=metadata, model=fitted_estimator)
        epoch = context.task_id + 1 if context.parent is not None else None
        if epoch is not None and epoch == self.fail_at:
            raise RuntimeError("callback failure")
        return epoch is not None and epoch == self.stop_at

    def epochs(self, hook="end"):
        return [c for c in self.calls if c[0] == hook and c[3] is not None]


def quiet_fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


@pytest.mark.parametrize("Estimator", [MLPLayerClassifier, MLPLayerRegressor])
def test_set_callbacks_returns_the_estimator(Estimator):
    est = Estimator()
    assert est.set_callbacks(Recorder()) is est
    with pytest.raises(TypeError, match="FitCallback"):
        est.set_callbacks(object())


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_fit_is_one_task_whose_subtasks_are_the_epochs(tiny_digits, solver):
    X, y = tiny_digits
    sw = np.linspace(0.5, 1.5, len(y))
    rec = Recorder()
    clf = quiet_fit(MLPLayerClassifier(**FAST, solver=solver).set_callbacks(rec), X, y, sw)
    name = "iteration" if solver == "lbfgs" else "epoch"
    assert rec.setups == rec.teardowns == 1
    assert rec.calls[0][:4] == ("begin", "fit", 0, None)
    assert rec.calls[-1][:4] == ("end", "fit", 0, None)
    begins, ends = rec.epochs("begin"), rec.epochs("end")
    assert [c[2] for c in begins] == [c[2] for c in ends] == list(range(clf.n_iter_))
    assert {c[1] for c in ends} == {name}
    assert {c[3] for c in ends} == {"fit"}
    for _, _, _, _, kwargs in begins + ends:
        assert kwargs["X"] is X
        assert kwargs["y"] is y
        assert kwargs["metadata"]["sample_weight"] == pytest.approx(sw)


def test_max_subtasks_is_max_iter(tiny_digits):
    X, y = tiny_digits

    class Root(Recorder):
        def setup(self, estimator, context):
            self.max_subtasks = context.max_subtasks

    rec = Root()
    quiet_fit(MLPLayerClassifier(**FAST).set_callbacks(rec), X, y)
    assert rec.max_subtasks == FAST["max_iter"]


def test_partial_fit_call_is_one_task(tiny_digits):
    X, y = tiny_digits
    rec = Recorder()
    clf = MLPLayerClassifier(**FAST).set_callbacks(rec)
    for _ in range(3):
        clf.partial_fit(X, y, classes=np.arange(10))
    assert [c[:4] for c in rec.calls] == [
        ("begin", "partial_fit", 0, None),
        ("end", "partial_fit", 0, None),
    ] * 3
    assert rec.setups == rec.teardowns == 3
    # the task's fitted estimator is the model after that call
    last = rec.calls[-1][4]["model"]
    np.testing.assert_array_equal(last.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_each_epoch_fitted_estimator_is_that_epochs_model(tiny_digits, solver):
    X, y = tiny_digits
    X_val, y_val = X[200:], y[200:]
    rec = Recorder()
    clf = MLPLayerClassifier(**FAST, solver=solver).set_callbacks(rec)
    quiet_fit(clf, X[:200], y[:200], X_val=X_val, y_val=y_val)
    models = [c[4]["model"] for c in rec.epochs()]
    assert len(models) == clf.n_iter_
    # scored after the fit: a later epoch did not change an earlier snapshot
    for model, val_loss in zip(models, clf.validation_loss_curve_, strict=True):
        assert log_loss(y_val, model.predict_proba(X_val), labels=clf.classes_) == pytest.approx(
            val_loss, rel=1e-6
        )
    np.testing.assert_array_equal(models[-1].predict_proba(X_val), clf.predict_proba(X_val))
    assert not np.allclose(models[0].predict_proba(X_val), models[-1].predict_proba(X_val))


def test_epoch_begin_sees_the_previous_epochs_model(tiny_digits):
    X, y = tiny_digits

    class Begin(Recorder):
        def on_fit_task_begin(self, estimator, context, *, fitted_estimator=None):
            if context.parent is not None:
                self.calls.append(fitted_estimator.predict_proba(X))

        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            if context.parent is not None:
                self.calls.append(fitted_estimator.predict_proba(X))

    rec = Begin()
    quiet_fit(MLPLayerClassifier(**FAST).set_callbacks(rec), X, y)
    begins, ends = rec.calls[0::2], rec.calls[1::2]
    for begin, previous_end in zip(begins[1:], ends[:-1], strict=True):
        np.testing.assert_array_equal(begin, previous_end)


def test_fitted_estimator_of_a_dataframe_fit_keeps_feature_names(tiny_digits):
    pd = pytest.importorskip("pandas")
    X, y = tiny_digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])])
    rec = Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no feature-name warning
        quiet_fit(MLPLayerClassifier(**FAST).set_callbacks(rec), frame, y)
        model = rec.epochs()[0][4]["model"]
        model.predict(frame)
    np.testing.assert_array_equal(model.feature_names_in_, frame.columns)


def test_scoring_monitor_logs_one_row_per_epoch(tiny_digits):
    X, y = tiny_digits
    monitor = callback.ScoringMonitor(scoring="accuracy")
    rec = Recorder()
    clf = quiet_fit(MLPLayerClassifier(**FAST).set_callbacks(monitor, rec), X, y)
    rows = monitor.get_logs().data_as_pandas
    epochs = rows[rows["task_name"] == "epoch"]
    assert len(epochs) == clf.n_iter_
    expected = [accuracy_score(y, c[4]["model"].predict(X)) for c in rec.epochs()]
    assert epochs["accuracy"].tolist() == pytest.approx(expected)
    root = rows[rows["task_name"] == "fit"]
    assert root["accuracy"].tolist() == pytest.approx([clf.score(X, y)])


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_a_callback_returning_true_stops_training_after_that_epoch(tiny_digits, solver):
    X, y = tiny_digits
    rec = Recorder(stop_at=3)
    clf = MLPLayerClassifier(hidden_layer_sizes=(8,), max_iter=50, solver=solver, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # stopping is not a failure
        clf.set_callbacks(rec).fit(X, y)
    assert clf.n_iter_ == 3
    assert len(clf.loss_curve_) == 3
    assert len(rec.epochs()) == 3
    np.testing.assert_array_equal(
        rec.epochs()[-1][4]["model"].predict_proba(X), clf.predict_proba(X)
    )
    assert rec.teardowns == 1


def test_stopping_under_early_stopping_keeps_the_best_epoch(tiny_digits):
    X, y = tiny_digits
    rec = Recorder(stop_at=30)
    clf = MLPLayerClassifier(
        hidden_layer_sizes=(8,),
        max_iter=200,
        learning_rate_init=0.1,
        early_stopping=True,
        n_iter_no_change=100,
        random_state=0,
    ).set_callbacks(rec)
    clf.fit(X, y)
    assert clf.n_iter_ == 30
    assert clf.best_validation_loss_ == min(clf.validation_loss_curve_)
    best = rec.epochs()[clf.best_epoch_ - 1][4]["model"]
    assert clf.best_epoch_ < 30  # the setting overfits: the last epoch is not the best
    np.testing.assert_array_equal(best.predict_proba(X), clf.predict_proba(X))


def test_teardown_runs_when_a_hook_fails_and_the_estimator_is_unchanged(tiny_digits):
    X, y = tiny_digits
    rec = Recorder(fail_at=2)
    clf = MLPLayerClassifier(**FAST).set_callbacks(rec)
    with pytest.raises(RuntimeError, match="callback failure"):
        clf.fit(X, y)
    assert rec.setups == rec.teardowns == 1
    assert not hasattr(clf, "n_iter_")
    assert not hasattr(clf, "classes_")


def test_teardown_runs_when_training_fails(tiny_digits):
    X, y = tiny_digits
    rec = Recorder()

    class PoisonedGradient(Identity):
        def backward(self, grad_out):
            return grad_out * np.nan

    stack = [Linear(10), PoisonedGradient(), Linear(), SoftmaxOutput()]
    clf = MLPLayerClassifier(layers=stack, random_state=0).set_callbacks(rec)
    with pytest.raises(ValueError, match="diverged"), np.errstate(all="ignore"):
        clf.fit(X, y)
    assert rec.setups == rec.teardowns == 1
    assert rec.epochs("begin")  # training had begun
    assert len(rec.epochs("end")) == len(rec.epochs("begin"))  # the failing epoch was closed


def test_callbacks_survive_clone_and_refit(tiny_digits):
    X, y = tiny_digits
    rec = Recorder()
    clf = MLPLayerClassifier(**FAST).set_callbacks(rec)
    quiet_fit(clone(clf), X, y)
    quiet_fit(clf, X, y)
    assert rec.setups == rec.teardowns == 2


def test_regressor_epochs_and_scoring(tiny_digits):
    X, y = tiny_digits
    monitor = callback.ScoringMonitor(scoring="r2")
    reg = quiet_fit(MLPLayerRegressor(**FAST).set_callbacks(monitor), X, y.astype(float))
    rows = monitor.get_logs().data_as_pandas
    epochs = rows[rows["task_name"] == "epoch"]
    assert len(epochs) == reg.n_iter_
    assert epochs["r2"].iloc[-1] == pytest.approx(reg.score(X, y))


# --- propagation through meta-estimators ----------------------------------------


class Propagated(Recorder):
    """An auto-propagated recorder: set on a meta-estimator, it reaches the MLP."""

    max_propagation_depth = None


def test_callback_on_a_pipeline_reaches_the_epochs(tiny_digits):
    X, y = tiny_digits
    rec = Propagated()
    pipe = make_pipeline(StandardScaler(), MLPLayerClassifier(**FAST))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "does not support callbacks"
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.set_callbacks(rec).fit(X, y)
    epochs = [c for c in rec.calls if c[0] == "end" and c[1] == "epoch"]
    assert len(epochs) == pipe[-1].n_iter_
    assert rec.setups == rec.teardowns == 1  # set up once, by the outermost estimator


@pytest.fixture
def progress():
    pytest.importorskip("rich")
    return callback.ProgressBar()


def test_progress_bar_on_the_estimator(tiny_digits, progress, capsys):
    X, y = tiny_digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPLayerClassifier(**FAST).set_callbacks(progress).fit(X, y)
    assert "MLPLayerClassifier - fit" in capsys.readouterr().out


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_progress_bar_through_grid_search(tiny_digits, progress, n_jobs, capsys):
    X, y = tiny_digits
    pipe = make_pipeline(StandardScaler(), MLPLayerClassifier(**FAST))
    search = GridSearchCV(pipe, {"mlplayerclassifier__alpha": [1e-4, 1e-2]}, cv=2, n_jobs=n_jobs)
    search.set_callbacks(callback.ProgressBar(max_propagation_depth=None))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    out = capsys.readouterr().out
    assert "MLPLayerClassifier - fit" in out
    assert "GridSearchCV" in out


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_scoring_monitor_on_the_mlp_inside_grid_search(tiny_digits, n_jobs):
    X, y = tiny_digits
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = MLPLayerClassifier(**FAST).set_callbacks(monitor)
    search = GridSearchCV(clf, {"alpha": [1e-4, 1e-2]}, cv=2, n_jobs=n_jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    rows = monitor.get_logs().data_as_pandas
    # 2 candidates x 2 folds, then the refit: max_iter epochs each (no plateau in 6)
    assert (rows["task_name"] == "epoch").sum() == 5 * FAST["max_iter"]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_callbacks_on_the_mlp_run_in_every_cross_validation_fold(tiny_digits, progress, n_jobs):
    # cross_validate has no callback support in scikit-learn 1.9.1: the
    # callbacks set on the estimator travel with its clones, one run per fold.
    X, y = tiny_digits
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = MLPLayerClassifier(**FAST).set_callbacks(monitor, progress)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cross_validate(clf, X, y, cv=3, n_jobs=n_jobs)
    runs = monitor.get_logs(select="all")
    assert len(runs) == 3
    for run in runs:
        assert (run.data_as_pandas["task_name"] == "epoch").sum() == FAST["max_iter"]

"""Shared pieces of the scenarios: settings, estimators, data, clocks, repeats."""

import dataclasses
import functools
import importlib
import importlib.util
import statistics
import sys
import time
import traceback
import warnings

import numpy as np
from _env import REPO_ROOT
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor

NAN2 = (float("nan"), float("nan"))


@dataclasses.dataclass
class Settings:
    """Options of one run: ``quick`` (smaller problems), BLAS ``threads``, ``repeats``."""

    quick: bool = False
    threads: int = 1
    repeats: int | None = None

    def pick(self, full, quick):
        """Return ``quick`` in a quick run, else ``full``."""
        return quick if self.quick else full

    def n_repeats(self, full, quick):
        """Return the number of repeats: ``--repeats`` if given, else :meth:`pick`."""
        return self.repeats or self.pick(full, quick)


def import_skmlp():
    """Import :mod:`skmlp`, preferring the checkout this file belongs to.

    Returns
    -------
    module : module or None
        The package, or None if the import failed.
    message : str or None
        Why the skmlp cases are skipped, or None on success.
    """
    root = str(REPO_ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module("skmlp")
        module.MLPLayerClassifier  # noqa: B018 - fail here if it is missing
    except Exception as exc:  # any failure means: skip the skmlp cases
        return None, f"skmlp cases SKIPPED: `import skmlp` failed ({type(exc).__name__}: {exc})"
    return module, None


def estimator_class(lib):
    """Return ``skmlp.MLPLayerClassifier`` (``lib="skmlp"``) or sklearn's ``MLPClassifier``."""
    if lib == "sklearn":
        return MLPClassifier
    module, message = import_skmlp()
    if module is None:
        raise ImportError(message)
    return module.MLPLayerClassifier


def regressor_class(lib):
    """Return ``skmlp.MLPLayerRegressor`` (``lib="skmlp"``) or sklearn's ``MLPRegressor``."""
    if lib == "sklearn":
        return MLPRegressor
    module, message = import_skmlp()
    if module is None:
        raise ImportError(message)
    return module.MLPLayerRegressor


@functools.cache
def tutorial_module():
    """:mod:`skmlp.datasets`, read from its file if the package cannot be imported.

    It needs only scikit-learn, so the sklearn cases get their settings even
    when ``import skmlp`` fails.
    """
    if import_skmlp()[0] is not None:
        return importlib.import_module("skmlp.datasets")
    spec = importlib.util.spec_from_file_location("_datasets", REPO_ROOT / "skmlp" / "datasets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def params(lib, epochs=None, **overrides):
    """Estimator keyword arguments: the tutorial's settings of ``lib``, changed by ``overrides``.

    Every setting is given explicitly (``skmlp.datasets.TUTORIAL_PARAMS`` or
    ``TUTORIAL_SKLEARN_PARAMS``), so the estimators' defaults never matter.

    Parameters
    ----------
    lib : {"skmlp", "sklearn"}
        Library.
    epochs : int or None, default=None
        Run exactly this many epochs: early stopping off, and a training-loss
        criterion that cannot trigger (``n_iter_no_change > max_iter``,
        ``tol=0``). Both libraries then warn, which :func:`fit_quietly` hides.
    **overrides
        Further settings (network, learning rate, ``random_state``, ...).

    Returns
    -------
    dict
    """
    datasets = tutorial_module()
    base = datasets.TUTORIAL_PARAMS if lib == "skmlp" else datasets.TUTORIAL_SKLEARN_PARAMS
    fixed = {}
    if epochs is not None:
        fixed = {"early_stopping": False, "max_iter": epochs, "n_iter_no_change": epochs + 1}
        fixed["tol"] = 0.0
    return {**base, "random_state": 0, **fixed, **overrides}


def relu_params(lib, epochs, hidden_layer_sizes, batch_size=256):
    """:func:`params` of the synthetic-data scenarios: a ReLU net, plain SGD 0.01."""
    return params(
        lib,
        epochs,
        hidden_layer_sizes=tuple(hidden_layer_sizes),
        activation="relu",
        learning_rate_init=0.01,
        batch_size=batch_size,
    )


def tutorial_data():
    """The tutorial split of ``skmlp.datasets.load_tutorial_digits`` (seed 0), as a dict.

    ``X_fit``/``y_fit`` (80%) and ``X_test``/``y_test`` (20%), and
    ``X_train``/``y_train``: the 75% of the fit set that an early-stopped fit
    trains on (stratified, as the estimators hold out their validation part),
    the rows of the fixed-epoch cases.
    """
    datasets = tutorial_module()
    X_fit, X_test, y_fit, y_test = datasets.load_tutorial_digits(random_state=0)
    fraction = datasets.TUTORIAL_PARAMS["validation_fraction"]
    X_train, _, y_train, _ = train_test_split(
        X_fit, y_fit, test_size=fraction, stratify=y_fit, random_state=0
    )
    arrays = {"X_fit": X_fit, "y_fit": y_fit, "X_test": X_test, "y_test": y_test}
    arrays.update(X_train=X_train, y_train=y_train)
    return {k: np.ascontiguousarray(v) for k, v in arrays.items()}


def tile_rows(X, n_rows):
    """Repeat the rows of ``X`` until there are ``n_rows`` of them (C-contiguous)."""
    reps = -(-n_rows // X.shape[0])
    return np.ascontiguousarray(np.tile(X, (reps, 1))[:n_rows])


def teacher_data(n_samples, n_features, n_classes=10, dtype="float64", seed=0):
    """Uniform random inputs labelled by a random linear teacher.

    ``X`` is drawn in float64 block by block and stored in ``dtype``: the
    float32 and float64 versions hold the same values (up to rounding) and
    labels, and making the data needs hardly more memory than ``X``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Values in [0, 1).
    y : ndarray of shape (n_samples,)
        ``argmax((X - 0.5) @ W)`` for a Gaussian ``W``.
    """
    rng = np.random.default_rng(seed)
    teacher = rng.standard_normal((n_features, n_classes))
    X = np.empty((n_samples, n_features), dtype=dtype)
    y = np.empty(n_samples, dtype=np.intp)
    block = 4096
    for start in range(0, n_samples, block):
        part = rng.random((min(block, n_samples - start), n_features))
        X[start : start + block] = part
        y[start : start + block] = np.argmax((part - 0.5) @ teacher, axis=1)
    return X, y


class Clock:
    """Wall time (``perf_counter``) and process CPU time (all threads) of a block.

    Examples
    --------
    >>> with Clock() as clock:
    ...     _ = sum(range(10))
    >>> clock.wall >= 0 and clock.cpu >= 0
    True
    """

    def __enter__(self):
        self.wall = self.cpu = float("nan")
        self._cpu0, self._wall0 = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.wall = time.perf_counter() - self._wall0
        self.cpu = time.process_time() - self._cpu0
        return False

    def sample(self, n_iter=None):
        """Return ``wall`` and ``cpu``; with ``n_iter`` epochs, also per epoch."""
        out = {"wall": self.wall, "cpu": self.cpu}
        if n_iter is not None:
            out.update(n_iter=n_iter, epoch_wall=self.wall / n_iter, epoch_cpu=self.cpu / n_iter)
        return out


def fit_quietly(estimator, X, y):
    """Fit ``estimator`` without the convergence warnings of fixed-epoch fits; return it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message=".*[Mm]aximum iterations.*")
        return estimator.fit(X, y)


def timed_fit(estimator, X, y):
    """Fit once; return the :meth:`Clock.sample` (per epoch of ``n_iter_``) and the estimator."""
    with Clock() as clock:
        fit_quietly(estimator, X, y)
    return clock.sample(int(estimator.n_iter_)), estimator


def interleaved(tasks, repeats, errors, required=("sklearn", "gemm")):
    """Call every task once per round, ``repeats`` rounds, in rotating order.

    Interleaving spreads slow phases of a noisy machine over all tasks.

    Parameters
    ----------
    tasks : dict of str to callable
        Each returns one sample (JSON-serialisable).
    repeats : int
        Number of rounds.
    errors : dict
        Receives ``name -> traceback`` of a task that raised; it is not
        called again.
    required : tuple of str, default=("sklearn", "gemm")
        Reference tasks, whose failure is a harness bug: re-raised.

    Returns
    -------
    dict of str to list
        The samples of each task in the order taken.
    """
    samples = {name: [] for name in tasks}
    names = list(tasks)
    for rnd in range(repeats):
        shift = rnd % len(names)
        for name in names[shift:] + names[:shift]:
            if name in errors:
                continue
            try:
                samples[name].append(tasks[name]())
            except Exception:
                if name in required:
                    raise
                errors[name] = traceback.format_exc()
                print(f"  ! {name} failed, skipped:\n{errors[name]}", file=sys.stderr)
    return samples


def median_of(samples, key):
    """Median of ``key`` over sample dicts (NaN without any)."""
    values = [s[key] for s in samples if s.get(key) is not None]
    return statistics.median(values) if values else float("nan")


def times_of(samples, prefix=""):
    """Median ``(cpu, wall)`` of samples: ``{prefix}cpu`` and ``{prefix}wall`` (NaN without any)."""
    return median_of(samples, f"{prefix}cpu"), median_of(samples, f"{prefix}wall")


def quantiles(values):
    """``n``, ``min``, ``p10``, ``median``, ``p90``, ``max`` and ``mean`` of raw values."""
    values = sorted(values)
    n = len(values)
    if n == 0:
        return {"n": 0}
    return {
        "n": n,
        "min": values[0],
        "p10": values[n // 10],
        "median": statistics.median(values),
        "p90": values[min(n - 1, (9 * n) // 10)],
        "max": values[-1],
        "mean": statistics.fmean(values),
    }


class Scenario:
    """What one scenario reports: its ``title``, ``description`` and ``config``.

    Attributes
    ----------
    raw : dict
        All raw samples, stored in the JSON.
    metrics : dict
        ``name -> {"value", "unit"}``: the medians that ``--compare`` shows.
    checks : list of dict
        Rows of the target table (:func:`_report.make_check`).
    tables : list of dict
        Detail tables: ``title``, ``columns`` and ``rows``.
    errors : dict
        ``case -> traceback`` of skmlp cases that failed.
    """

    def __init__(self, title, description, config):
        self.title, self.description, self.config = title, description, config
        self.raw, self.metrics, self.checks, self.tables, self.errors = {}, {}, [], [], {}

    def metric(self, name, value, unit="s"):
        """Record one summary value (NaN stored as None); ``unit``: s, B, ratio, acc, epochs."""
        self.metrics[name] = {"value": value if value == value else None, "unit": unit}

    def epoch_metrics(self, raw, suffix="", wall=False):
        """Median ``(cpu, wall)`` per epoch of each task's samples, recorded as metrics.

        Returns ``{name: (cpu, wall)}``; the metrics are ``epoch_cpu NAME{suffix}``
        and, with ``wall``, ``epoch_wall NAME{suffix}``.
        """
        times = {name: times_of(samples, "epoch_") for name, samples in raw.items()}
        for name, (cpu, wall_time) in times.items():
            self.metric(f"epoch_cpu {name}{suffix}", cpu)
            if wall:
                self.metric(f"epoch_wall {name}{suffix}", wall_time)
        return times

    def table(self, title, columns, rows):
        """Add a detail table (cells are strings)."""
        self.tables.append({"title": title, "columns": list(columns), "rows": rows})

    def as_dict(self):
        """The scenario's section of the results document."""
        keys = ("title", "description", "config", "checks", "tables", "metrics", "errors", "raw")
        return {k: getattr(self, k) for k in keys}

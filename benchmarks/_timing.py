"""Clocks, interleaved repeats and summaries of raw timings."""

import statistics
import sys
import time
import traceback
import warnings

from sklearn.exceptions import ConvergenceWarning


class Clock:
    """Measure wall time and process CPU time of a block of code.

    CPU time is :func:`time.process_time`, which adds up all the threads of
    the process, so with several BLAS threads it may exceed wall time.

    Examples
    --------
    >>> with Clock() as clock:
    ...     _ = sum(range(10))
    >>> clock.wall >= 0 and clock.cpu >= 0
    True
    """

    def __enter__(self):
        self.wall = self.cpu = float("nan")
        self._cpu0 = time.process_time()
        self._wall0 = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.wall = time.perf_counter() - self._wall0
        self.cpu = time.process_time() - self._cpu0
        return False


def fit_quietly(estimator, X, y):
    """Fit ``estimator`` while silencing convergence warnings.

    The fixed-epoch cases stop at ``max_iter`` on purpose, which makes both
    libraries warn.

    Parameters
    ----------
    estimator : estimator
        The estimator to fit.
    X, y : array-like
        Training data.

    Returns
    -------
    estimator
        The fitted estimator.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message=".*[Mm]aximum iterations.*")
        return estimator.fit(X, y)


def timed_fit(make_estimator, X, y):
    """Fit a fresh estimator once and time it.

    Parameters
    ----------
    make_estimator : callable
        Called without arguments, returns an unfitted estimator.
    X, y : array-like
        Training data.

    Returns
    -------
    sample : dict
        ``wall`` and ``cpu`` seconds for the whole fit, ``n_iter`` epochs run
        and ``epoch_wall`` / ``epoch_cpu``, the fit time divided by the
        number of epochs.
    estimator : estimator
        The fitted estimator.
    """
    estimator = make_estimator()
    with Clock() as clock:
        fit_quietly(estimator, X, y)
    n_iter = int(estimator.n_iter_)
    sample = {
        "wall": clock.wall,
        "cpu": clock.cpu,
        "n_iter": n_iter,
        "epoch_wall": clock.wall / n_iter,
        "epoch_cpu": clock.cpu / n_iter,
    }
    return sample, estimator


def interleaved(tasks, repeats, errors, required=("sklearn", "gemm")):
    """Run several measurements in rotating order, ``repeats`` rounds.

    Interleaving spreads slow phases of a noisy machine over all the tasks
    instead of penalising whichever happens to run during one.

    Parameters
    ----------
    tasks : dict of str to callable
        Each callable takes no argument and returns one sample (any
        JSON-serialisable value, usually a dict of timings).
    repeats : int
        Number of rounds; each task is called once per round.
    errors : dict
        Receives ``name -> traceback text`` for a task that raised. A task
        that raised is not called again.
    required : tuple of str, default=("sklearn", "gemm")
        Names whose failure is re-raised instead of being recorded; those
        are the reference measurements, whose failure is a harness bug.

    Returns
    -------
    dict of str to list
        The samples of each task, in the order they were taken.
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
    """Return the median of ``key`` over a list of sample dicts.

    Parameters
    ----------
    samples : list of dict
        Samples as returned by the measurement callables.
    key : str
        The field to summarise.

    Returns
    -------
    float
        The median, or NaN if there are no samples.
    """
    values = [s[key] for s in samples if s.get(key) is not None]
    return statistics.median(values) if values else float("nan")


def quantiles(values):
    """Summarise many raw values (per-call latencies) in a few numbers.

    Parameters
    ----------
    values : sequence of float
        Raw values.

    Returns
    -------
    dict
        ``n``, ``min``, ``p10``, ``median``, ``p90``, ``max`` and ``mean``.
    """
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

"""Cases run in a fresh subprocess, and the peak extra memory they measure.

Peak memory is a property of a whole process, so each memory case runs in a
new interpreter: ``python _worker.py SPEC_JSON`` prints one line of JSON with
the result. :func:`worker_task` starts it from the main process.
"""

import contextlib
import ctypes
import ctypes.util
import gc
import json
import os
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
from _env import REPO_ROOT, blas_info
from _gemm import GemmEpoch
from _harness import Clock, estimator_class, fit_quietly, teacher_data
from threadpoolctl import threadpool_limits

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def run_worker(spec, timeout=1800):
    """Run one case (``spec``, see :func:`fit_case`, :func:`predict_case`) in a fresh process.

    ``spec["threads"]`` is also exported as ``OPENBLAS_NUM_THREADS`` etc.
    Returns the JSON result printed by the subprocess; raises RuntimeError,
    ending with its stderr, if it failed.
    """
    env = dict(os.environ)
    env.update({name: str(spec["threads"]) for name in THREAD_VARIABLES})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), json.dumps(spec)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker failed ({proc.returncode}) for {spec}:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def worker_task(task, lib, threads, data, params, **extra):
    """A callable for :func:`_harness.interleaved` that runs one case in a subprocess.

    ``data`` is ``{"n_samples", "n_features", "dtype"}`` of
    :func:`_harness.teacher_data`; ``params`` the estimator's keyword
    arguments; ``extra`` further spec entries.
    """
    spec = {"task": task, "lib": lib, "threads": threads, "data": data}
    spec.update(params=params, **extra)
    return lambda: run_worker(spec)


def _status_bytes(field):
    """One ``kB`` field of ``/proc/self/status`` (Linux only)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _release_free_heap():
    """``malloc_trim(0)``: hand freed heap back, so reusing it cannot hide in the baseline."""
    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)


def _reset_peak_rss():
    """Reset ``VmHWM`` (Linux >= 4.0); return whether that worked."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_rss():
    """``VmHWM``, else ``ru_maxrss`` (peak since the process started), in bytes."""
    try:
        return _status_bytes("VmHWM")
    except (OSError, KeyError):
        scale = 1 if sys.platform == "darwin" else 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


class PeakMemory:
    """Peak extra resident memory of a block of code.

    On entry: garbage collection, ``malloc_trim``, reset of the peak RSS and
    the current RSS as ``baseline``; on exit ``extra = peak - baseline``.
    What was allocated before (data, modules, BLAS buffers) is excluded.
    ``method`` is ``"VmHWM"``, or ``"ru_maxrss"`` where the peak could not
    be reset (then ``extra`` is right only if nothing before used more).
    With ``trace=True`` :mod:`tracemalloc` also runs and ``traced_peak`` is
    the peak of Python and NumPy allocations (slow: do not time it).
    """

    def __init__(self, trace=False):
        self.trace = trace
        self.traced_peak = None

    def __enter__(self):
        gc.collect()
        _release_free_heap()
        self.method = "VmHWM" if _reset_peak_rss() else "ru_maxrss"
        try:
            self.baseline = _status_bytes("VmRSS")
        except (OSError, KeyError):
            self.baseline = None
        if self.trace:
            tracemalloc.start()
        return self

    def __exit__(self, *exc_info):
        if self.trace:
            self.traced_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        self.peak = _peak_rss()
        self.extra = None if self.baseline is None else self.peak - self.baseline
        return False

    def as_dict(self):
        """``baseline``, ``peak``, ``extra``, ``traced_peak`` (bytes) and ``method``."""
        keys = ("baseline", "peak", "extra", "traced_peak", "method")
        return {k: getattr(self, k) for k in keys}


def _setup(spec):
    """The estimator class, its parameters and the data ``(X, y)`` of a spec."""
    params = dict(spec["params"])
    params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    data = spec["data"]
    X, y = teacher_data(data["n_samples"], data["n_features"], dtype=data["dtype"])
    return estimator_class(spec["lib"]), params, X, y


def _warm_blas():
    """A 1024 x 1024 product per dtype fills OpenBLAS's packing buffers before a baseline."""
    for dtype in (np.float64, np.float32):
        a = np.ones((1024, 1024), dtype=dtype)
        np.matmul(a, a)


def _gemm_sample(X, g):
    """One epoch of the GEMM bound of spec ``g`` on ``X``: a :meth:`_harness.Clock.sample`."""
    return GemmEpoch(X, g["hidden_layer_sizes"], g["n_outputs"], g["batch_size"]).sample()


def fit_case(spec):
    """Time one fit and measure its peak extra memory.

    ``spec``: ``lib``, ``data``, ``params``; ``traced`` (default True: a
    second, traced fit); optionally ``gemm`` (``hidden_layer_sizes``,
    ``n_outputs``, ``batch_size``): also time one epoch of that GEMM bound
    on the same data, in this process, just before and just after the fit.
    Returns the fit's
    :meth:`_harness.Clock.sample`, ``coef_dtype``, the :class:`PeakMemory`
    fields of the timed fit, ``traced_peak`` of the second fit and, with
    ``gemm``, ``gemm_epoch_cpu`` and ``gemm_epoch_wall`` (the means of the
    two bounds) and the ``gemm_before_epoch_*`` and ``gemm_after_epoch_*``.
    """
    cls, params, X, y = _setup(spec)
    _warm_blas()
    # The bound a moment before and again a moment after the fit, in the same
    # process: the fit's ratio to their mean is steadier than a ratio of
    # medians taken in different processes, and a clock that drifts during
    # the run (seen: the bound up to 7% slower after a fit than before it)
    # biases neither side. Its arrays are freed before the memory baseline.
    g = spec.get("gemm")
    before = _gemm_sample(X, g) if g else None
    # No warm-up fit: memory it freed could be reused by the measured fit
    # without showing in the RSS; first-call costs are milliseconds.
    estimator = cls(**params)
    with PeakMemory() as memory, Clock() as clock:
        fit_quietly(estimator, X, y)
    result = clock.sample(int(estimator.n_iter_))
    result["coef_dtype"] = str(estimator.coefs_[0].dtype)
    del estimator
    paired = {}
    if g:
        after = _gemm_sample(X, g)
        for key in ("epoch_cpu", "epoch_wall"):
            paired[f"gemm_before_{key}"] = before[key]
            paired[f"gemm_after_{key}"] = after[key]
            paired[f"gemm_{key}"] = (before[key] + after[key]) / 2
    # The same fit again under tracemalloc (not timed): independent of the
    # allocator's caching.
    traced = PeakMemory(trace=True)
    if spec.get("traced", True):
        with traced:
            fit_quietly(cls(**params), X, y)
    return {**result, **memory.as_dict(), "traced_peak": traced.traced_peak, **paired}


def predict_case(spec):
    """Time ``predict_proba`` on all rows and measure its peak extra memory.

    ``spec``: ``lib``, ``data`` (the rows), ``params`` of a short fit on the
    first ``fit_rows`` rows. Returns ``wall``, ``cpu``, ``output_shape``,
    the :class:`PeakMemory` fields of a first call and ``traced_peak`` of a
    second.
    """
    cls, params, X, y = _setup(spec)
    n_fit = spec["fit_rows"]
    estimator = fit_quietly(cls(**params), X[:n_fit], y[:n_fit])
    _warm_blas()
    estimator.predict_proba(X[:100])
    with PeakMemory() as memory, Clock() as clock:
        proba = estimator.predict_proba(X)
    shape = list(proba.shape)
    del proba
    with PeakMemory(trace=True) as traced:
        estimator.predict_proba(X)
    result = {**clock.sample(), "output_shape": shape, **memory.as_dict()}
    return {**result, "traced_peak": traced.traced_peak}


def main(argv):
    """Run the case given as JSON in ``argv[1]`` and print its JSON result."""
    spec = json.loads(argv[1])
    with threadpool_limits(spec["threads"]):
        result = {"fit": fit_case, "predict": predict_case}[spec["task"]](spec)
        result["blas"] = blas_info()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)

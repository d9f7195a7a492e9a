"""Cases that run in a fresh subprocess, one per measurement.

Peak memory is a property of a whole process, so each memory case runs here,
in a new interpreter: ``python _worker.py SPEC_JSON`` prints one line of JSON
with the result. :func:`run_worker` starts it from the main process.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from _data import teacher_data
from _env import REPO_ROOT, blas_info
from _gemm import GemmEpoch
from _memory import PeakMemory
from _models import estimator_class
from _timing import Clock, fit_quietly
from threadpoolctl import threadpool_limits

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def run_worker(spec, timeout=1800):
    """Run one case in a fresh Python process and return its result.

    Parameters
    ----------
    spec : dict
        The case; see :func:`fit_case` and :func:`predict_case`. Its
        ``threads`` entry is also exported as ``OPENBLAS_NUM_THREADS`` etc.
    timeout : float, default=1800
        Seconds before the subprocess is killed.

    Returns
    -------
    dict
        The JSON result printed by the subprocess.

    Raises
    ------
    RuntimeError
        If the subprocess failed; the message ends with its stderr.
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


def _make_data(data):
    dtype = np.dtype(data["dtype"]).type
    return teacher_data(
        data["n_samples"],
        data["n_features"],
        data.get("n_classes", 10),
        dtype=dtype,
        seed=data.get("seed", 0),
    )


def _params(params):
    params = dict(params)
    params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    return params


def _warm_blas():
    """Touch the BLAS work buffers, so they are in RSS before a baseline.

    A 1024 x 1024 product uses the whole packing buffers of OpenBLAS; after
    it, products of the benchmarked sizes add no BLAS memory of their own.
    """
    for dtype in (np.float64, np.float32):
        a = np.ones((1024, 1024), dtype=dtype)
        np.matmul(a, a)


def fit_case(spec):
    """Time one fit and measure its peak extra memory.

    Parameters
    ----------
    spec : dict
        ``lib``; ``data`` (``n_samples``, ``n_features``, ``n_classes``,
        ``dtype``, ``seed``, see :func:`_data.teacher_data`); ``params``
        (estimator parameters); ``traced`` (default True: run the traced
        second fit); optionally ``gemm`` (``hidden_layer_sizes``,
        ``n_outputs``, ``batch_size``): time one epoch of the GEMM bound of
        that network on the same data first, in this process.

    Returns
    -------
    dict
        ``wall``, ``cpu``, ``n_iter``, ``epoch_wall``, ``epoch_cpu``, the
        memory fields of :class:`_memory.PeakMemory` (bytes) of the timed
        fit, ``traced_peak``, the tracemalloc peak of a second fit, and with
        ``gemm``: ``gemm_epoch_cpu`` and ``gemm_epoch_wall``.
    """
    cls = estimator_class(spec["lib"])
    params = _params(spec["params"])
    X, y = _make_data(spec["data"])
    _warm_blas()
    paired = {}
    if "gemm" in spec:
        # The bound measured a moment before the fit, in the same process
        # and phase of the machine: the fit / bound ratio of one pair is
        # steadier than a ratio of medians taken in different processes.
        g = spec["gemm"]
        gemm = GemmEpoch(X, g["hidden_layer_sizes"], g["n_outputs"], g["batch_size"])
        sample = gemm.sample()
        paired = {"gemm_epoch_cpu": sample["epoch_cpu"], "gemm_epoch_wall": sample["epoch_wall"]}
        del gemm  # freed before the memory baseline
    # No warm-up fit: memory it freed could be reused by the measured fit
    # without showing in the RSS. First-call costs (lazy imports) are
    # milliseconds against fits of seconds.
    estimator = cls(**params)
    with PeakMemory() as memory, Clock() as clock:
        fit_quietly(estimator, X, y)
    n_iter = int(estimator.n_iter_)
    coef_dtype = str(estimator.coefs_[0].dtype)
    del estimator
    # The same fit again under tracemalloc (not timed): the peak of the
    # NumPy and Python allocations, independent of the allocator's caching.
    traced = PeakMemory(trace=True)
    if spec.get("traced", True):
        with traced:
            fit_quietly(cls(**params), X, y)
    return {
        "wall": clock.wall,
        "cpu": clock.cpu,
        "n_iter": n_iter,
        "epoch_wall": clock.wall / n_iter,
        "epoch_cpu": clock.cpu / n_iter,
        "coef_dtype": coef_dtype,
        **memory.as_dict(),
        "traced_peak": traced.traced_peak,
        **paired,
    }


def predict_case(spec):
    """Measure ``predict_proba`` on many rows: time and peak extra memory.

    Parameters
    ----------
    spec : dict
        ``lib``; ``data`` as in :func:`fit_case` (the rows to predict);
        ``fit_rows``, the number of leading rows the model is fitted on;
        ``params``, estimator parameters of that short fit.

    Returns
    -------
    dict
        ``wall``, ``cpu``, the memory fields of :class:`_memory.PeakMemory`
        (bytes) of a first call, and ``traced_peak``, the tracemalloc peak of
        a second call.
    """
    cls = estimator_class(spec["lib"])
    X, y = _make_data(spec["data"])
    n_fit = spec["fit_rows"]
    estimator = fit_quietly(cls(**_params(spec["params"])), X[:n_fit], y[:n_fit])
    _warm_blas()
    estimator.predict_proba(X[:100])
    with PeakMemory() as memory, Clock() as clock:
        proba = estimator.predict_proba(X)
    shape = list(proba.shape)
    del proba
    with PeakMemory(trace=True) as traced:
        estimator.predict_proba(X)
    return {
        "wall": clock.wall,
        "cpu": clock.cpu,
        "output_shape": shape,
        **memory.as_dict(),
        "traced_peak": traced.traced_peak,
    }


TASKS = {"fit": fit_case, "predict": predict_case}


def main(argv):
    """Run the case given as JSON in ``argv[1]`` and print its JSON result."""
    spec = json.loads(argv[1])
    with threadpool_limits(spec["threads"]):
        result = TASKS[spec["task"]](spec)
        result["blas"] = blas_info()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)

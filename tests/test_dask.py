"""The estimator on a Dask cluster: joblib's dask backend and dask-ml's wrappers.

Needs the ``dask`` extra (``pip install "skmlp[dask]"``); skipped without it.
The cluster has two worker processes of one thread each and listens on
127.0.0.1 only, dashboard included. Each worker's BLAS gets one thread through
the ``OMP_NUM_THREADS``-style variables its nanny sets before starting it.
"""

import os
import pickle
import tempfile
import threading
import time

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_info, threadpool_limits

from skmlp import MLPLayerClassifier
from skmlp.datasets import TUTORIAL_PARAMS

distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")  # a dependency of distributed

THREADS_PER_WORKER = 1
#: Read by OpenBLAS, MKL and OpenMP when a worker process starts.
WORKER_ENV = {
    name: str(THREADS_PER_WORKER)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
}
SEARCH = dict(
    param_grid={"hidden_layer_sizes": [(10,), (20,)], "learning_rate_init": [0.1, 0.3]},
    cv=3,
)
#: The tutorial's plain SGD with early stopping, shortened to keep the fits quick.
#: The hold-out split, too, must come out the same in every process.
MODEL = {
    **TUTORIAL_PARAMS,
    "batch_size": 50,
    "max_iter": 100,
    "n_iter_no_change": 3,
    "tol": 1e-2,
    "random_state": 0,
}


@pytest.fixture(scope="module")
def client():
    """A two-process LocalCluster on 127.0.0.1, closed and its directory removed even on failure."""
    with tempfile.TemporaryDirectory(prefix="skmlp-dask-", ignore_cleanup_errors=True) as tmp:
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=THREADS_PER_WORKER,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            local_directory=tmp,
            env=WORKER_ENV,
        )
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def blas_threads():
    """Largest thread count of the BLAS libraries loaded in this process."""
    return max(lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas")


def fit_and_count_blas_threads(estimator, X, y):
    return estimator.fit(X, y), blas_threads()


def listening_addresses(pid):
    return {c.laddr.ip for c in psutil.Process(pid).net_connections("inet") if not c.raddr}


def results_frame(search):
    results = pd.DataFrame(search.cv_results_)
    return results.drop(columns=[c for c in results if c.endswith("_time")])


def timed_search(X, y, n_jobs):
    search = GridSearchCV(MLPLayerClassifier(**MODEL), n_jobs=n_jobs, **SEARCH)
    start = time.perf_counter()
    search.fit(X, y)
    return search, time.perf_counter() - start


def test_cluster_listens_on_localhost_only(client):
    assert client.scheduler.address.startswith("tcp://127.0.0.1:")
    assert client.dashboard_link.startswith("http://127.0.0.1:")
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)
    pids = [os.getpid(), *client.run(os.getpid).values()]
    assert set().union(*map(listening_addresses, pids)) == {"127.0.0.1"}


def test_worker_blas_is_limited_to_the_worker_threads(client, digits):
    assert set(client.run(blas_threads).values()) == {THREADS_PER_WORKER}
    X, y = digits
    future = client.submit(fit_and_count_blas_threads, MLPLayerClassifier(**MODEL), X, y)
    _, threads = future.result()
    assert threads == THREADS_PER_WORKER


def test_estimator_travels_to_a_worker_and_back(client, digits):
    """Shipped unfitted, fitted in another interpreter, shipped back: same model as at home."""
    X, y = digits
    estimator = MLPLayerClassifier(**MODEL)
    remote, _ = client.submit(fit_and_count_blas_threads, clone(estimator), X, y).result()
    with threadpool_limits(THREADS_PER_WORKER, user_api="blas"):
        local = clone(estimator).fit(X, y)
    for W_remote, W_local in zip(
        remote.coefs_ + remote.intercepts_, local.coefs_ + local.intercepts_
    ):
        np.testing.assert_array_equal(W_remote, W_local)
    pd.testing.assert_frame_equal(
        remote.history_.drop(columns="seconds"), local.history_.drop(columns="seconds")
    )
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(remote)).predict(X), local.predict(X))


def test_fit_starts_no_threads_or_processes(digits):
    X, y = digits
    threads, children = threading.active_count(), psutil.Process().children(recursive=True)
    MLPLayerClassifier(**MODEL).fit(X, y)
    assert threading.active_count() == threads
    assert psutil.Process().children(recursive=True) == children


def test_grid_search_on_dask_matches_sequential_and_loky(client, digits):
    """``cv_results_`` is identical whether the fits run here, in loky workers or on Dask."""
    X, y = digits
    # The workers' BLAS has one thread; the reference uses one too, so that
    # not even the rounding of a matrix product can differ.
    with threadpool_limits(THREADS_PER_WORKER, user_api="blas"):
        sequential, sequential_seconds = timed_search(X, y, n_jobs=None)
    with joblib.parallel_config(backend="loky", inner_max_num_threads=THREADS_PER_WORKER):
        # Start the loky workers (as the Dask ones are) and check their BLAS.
        started = joblib.Parallel(n_jobs=2)(joblib.delayed(blas_threads)() for _ in range(2))
        assert set(started) == {THREADS_PER_WORKER}
        loky, loky_seconds = timed_search(X, y, n_jobs=2)
    with (
        distributed.get_task_stream(client) as tasks,
        joblib.parallel_config(backend="dask"),
    ):
        on_dask, dask_seconds = timed_search(X, y, n_jobs=2)
    print(
        f"\nGridSearchCV, {len(sequential.cv_results_['params'])} candidates x "
        f"{SEARCH['cv']} folds: sequential {sequential_seconds:.2f} s, "
        f"loky {loky_seconds:.2f} s, dask {dask_seconds:.2f} s"
    )
    assert len({task["worker"] for task in tasks.data}) == 2  # both workers fitted
    expected = results_frame(sequential)
    pd.testing.assert_frame_equal(results_frame(loky), expected)
    pd.testing.assert_frame_equal(results_frame(on_dask), expected)
    assert on_dask.best_params_ == sequential.best_params_
    assert on_dask.best_score_ > 0.8


def test_dask_ml_wrappers_agree_with_in_memory(client):
    """``Incremental`` over a chunked Dask array, ``ParallelPostFit`` over another."""
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y = make_classification(
        n_samples=3000, n_features=20, n_informative=8, n_classes=3, random_state=0
    )
    X = X.astype(np.float32)
    X_dask, y_dask = da.from_array(X, chunks=(500, 20)), da.from_array(y, chunks=500)
    classes, passes = np.unique(y), 2
    estimator = MLPLayerClassifier(hidden_layer_sizes=(16,), batch_size=50, random_state=0)

    incremental = wrappers.Incremental(clone(estimator), shuffle_blocks=False)
    for _ in range(passes):
        incremental.partial_fit(X_dask, y_dask, classes=classes)
    in_memory = clone(estimator)
    for _ in range(passes):
        for start in range(0, len(X), 500):
            in_memory.partial_fit(X[start : start + 500], y[start : start + 500], classes=classes)
    streamed = incremental.estimator_
    assert streamed.t_ == in_memory.t_ == passes * len(X)
    for W_dask, W_local in zip(streamed.coefs_, in_memory.coefs_):
        np.testing.assert_array_equal(W_dask, W_local)

    post_fit = wrappers.ParallelPostFit(in_memory)
    predicted = post_fit.predict(X_dask)
    assert isinstance(predicted, da.Array)
    np.testing.assert_array_equal(predicted.compute(), in_memory.predict(X))
    proba = post_fit.predict_proba(X_dask).compute()
    assert proba.dtype == np.float32
    # Chunks of 500 rows take other BLAS kernels than the whole array (AVX2
    # machines differ by ~1e-7 in float32): equal within float32 rounding.
    np.testing.assert_allclose(proba, in_memory.predict_proba(X), rtol=1e-6, atol=1e-7)
    assert post_fit.score(X_dask, y_dask) == pytest.approx(in_memory.score(X, y))
    assert in_memory.score(X, y) > 0.5

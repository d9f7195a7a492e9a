"""Shared fixtures. No global seeding: every test makes its own RandomState."""

import os

# scikit-learn's array-API check (enabling dispatch must not change results on
# NumPy input) only runs when SciPy is imported with this set; set it before
# anything imports SciPy so that check_estimator runs it instead of skipping.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
# One BLAS thread: the machines have 2 cores and tests are timed by nobody,
# but oversubscribed BLAS threads make small fits many times slower (the
# breast_cancer defaults test took 49 s with two threads, 6.5 s with one).
# The variables reach subprocesses (Dask workers); threadpoolctl covers the
# libraries this process has already loaded.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

_BLAS_LIMIT = threadpool_limits(limits=1)


@pytest.fixture
def rng():
    return np.random.RandomState(0)


@pytest.fixture(scope="session")
def tiny_digits():
    """300 digits scaled to [0, 1]: big enough to learn, small enough to be fast."""
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


@pytest.fixture(scope="session")
def xor():
    """Four XOR points repeated 25 times: not linearly separable."""
    X = np.tile(np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), (25, 1))
    y = np.tile(np.array([0, 1, 1, 0]), 25)
    return X, y

"""Data sets of the benchmarks: the digits tutorial split and synthetic data."""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

#: Seed of the 60/20/20 split of the digits data set.
SPLIT_SEED = 0


def digits_split(seed=SPLIT_SEED):
    """Split the digits data set 60/20/20 into train, validation and test.

    The pixel values are kept raw (0 to 16), as in the tutorial. The training
    part has 1078 of the 1797 rows.

    Parameters
    ----------
    seed : int, default=SPLIT_SEED
        Seed of both shuffles.

    Returns
    -------
    dict
        ``X_train``, ``y_train`` (60%), ``X_val``, ``y_val`` (20%) and
        ``X_test``, ``y_test`` (20%), ``X`` float64 and ``y`` int.
    """
    X, y = load_digits(return_X_y=True)
    X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=0.4, random_state=seed)
    X_val, X_test, y_val, y_test = train_test_split(
        X_rest, y_rest, test_size=0.5, random_state=seed
    )
    return {
        "X_train": np.ascontiguousarray(X_train),
        "y_train": y_train,
        "X_val": np.ascontiguousarray(X_val),
        "y_val": y_val,
        "X_test": np.ascontiguousarray(X_test),
        "y_test": y_test,
    }


def tile_rows(X, n_rows):
    """Repeat the rows of ``X`` until there are ``n_rows`` of them.

    Parameters
    ----------
    X : ndarray of shape (n, n_features)
        Rows to repeat.
    n_rows : int
        Number of rows wanted.

    Returns
    -------
    ndarray of shape (n_rows, n_features)
        A new C-contiguous array.
    """
    reps = -(-n_rows // X.shape[0])
    return np.ascontiguousarray(np.tile(X, (reps, 1))[:n_rows])


def teacher_data(n_samples, n_features, n_classes=10, dtype=np.float64, seed=0):
    """Uniform random inputs labelled by a random linear teacher.

    ``X`` is drawn in float64 block by block and stored in ``dtype``, so the
    float32 and float64 versions hold the same values (up to rounding) and
    the same labels, and creating the data never needs more memory than ``X``
    itself plus a few megabytes.

    Parameters
    ----------
    n_samples, n_features : int
        Shape of ``X``.
    n_classes : int, default=10
        Number of classes.
    dtype : {np.float64, np.float32}, default=np.float64
        Dtype of ``X``.
    seed : int, default=0
        Seed of the generator.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Values in [0, 1).
    y : ndarray of shape (n_samples,)
        Integer labels, ``argmax((X - 0.5) @ W)`` for a Gaussian ``W``.
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

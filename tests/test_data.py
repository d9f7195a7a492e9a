"""Training rows: duplicate merging, stratified hold-out, minibatch gathering."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal

from skmlp._data import MinibatchGatherer, merge_duplicate_rows, one_hot, split_validation


def test_duplicates_are_merged_with_summed_weights():
    X = np.array([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [1.0, 2.0]])
    y = np.array([0, 1, 0, 1])  # the last row has another label: not a duplicate
    rows, weights, counts = merge_duplicate_rows(X, y, keep_order=True)
    assert_array_equal(rows, [0, 1, 3])
    assert_array_equal(weights, [2.0, 1.0, 1.0])
    assert_array_equal(counts, [2, 1, 1])


def test_counts_ignore_zero_weight_rows():
    X = np.array([[1.0], [1.0], [1.0], [2.0]])
    rows, weights, counts = merge_duplicate_rows(X, np.zeros(4, int), np.array([0.5, 0, 2, 0]))
    assert_array_equal(X[rows].ravel(), [1.0])
    assert_array_equal(weights, [2.5])
    assert_array_equal(counts, [2])


def test_no_duplicates_and_no_weights_gives_unit_weights(rng):
    X = rng.normal(size=(10, 3))
    rows, weights, counts = merge_duplicate_rows(X, np.zeros(10, int), keep_order=True)
    assert_array_equal(rows, np.arange(10))
    assert weights is None
    assert counts is None


def test_repeating_rows_equals_integer_weights(rng):
    X, y = rng.normal(size=(8, 3)), rng.randint(0, 2, 8)
    sw = rng.randint(0, 4, 8).astype(float)
    rows_w, weights_w, _ = merge_duplicate_rows(X, y, sw)
    X_rep, y_rep = X.repeat(sw.astype(int), axis=0), y.repeat(sw.astype(int))
    perm = rng.permutation(len(y_rep))
    rows_r, weights_r, _ = merge_duplicate_rows(X_rep[perm], y_rep[perm])
    assert_array_equal(X[rows_w], X_rep[perm][rows_r])  # same rows, same canonical order
    assert_array_equal(weights_w, weights_r)
    assert np.all(weights_w > 0)  # zero-weight rows are dropped


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_features", [6, 37])
def test_copies_of_a_row_hash_alike_wherever_they_sit(rng, dtype, n_features):
    # A BLAS matrix-vector product rounds a row differently by its position
    # (seen with float32 and 6 features): copies must still merge, whatever
    # their offsets and however many there are.
    unique = rng.normal(size=(300, n_features)).astype(dtype)
    reps = rng.randint(1, 4, size=300)
    X, y = np.repeat(unique, reps, axis=0), np.repeat(np.arange(300) % 3, reps)
    rows, weights, counts = merge_duplicate_rows(X, y, keep_order=True)
    assert_array_equal(X[rows], unique)
    assert_array_equal(weights, reps)
    assert_array_equal(counts, reps)


def test_sparse_rows_are_merged_like_dense(rng):
    X = rng.normal(size=(6, 4))
    X[X < 0.3] = 0
    X = np.vstack([X, X[:2]])
    y = np.zeros(8, int)
    dense = merge_duplicate_rows(X, y)
    sparse = merge_duplicate_rows(sp.csr_matrix(X), y)
    assert_array_equal(dense[0], sparse[0])
    assert_array_equal(dense[1], sparse[1])


def test_stratified_split_keeps_proportions(rng):
    y = np.repeat([0, 1, 2], [40, 20, 4])
    train, val = split_validation(np.arange(len(y)), y, 0.25, rng)
    assert len(np.intersect1d(train, val)) == 0
    assert len(train) + len(val) == len(y)
    assert_array_equal(np.bincount(y[val]), [10, 5, 1])


def test_split_keeps_singleton_classes_in_training(rng):
    y = np.array([0, 0, 0, 0, 1])
    train, val = split_validation(np.arange(5), y, 0.5, rng)
    assert 4 in train
    assert len(val) == 2


def test_gatherer_reuses_its_buffers(rng):
    X, y = rng.normal(size=(10, 3)), rng.randint(0, 2, 10)
    Y = one_hot(y, 2, np.float64)
    gatherer = MinibatchGatherer(X, y, 2, None, batch_size=4)
    Xb1, Yb1, wb = gatherer.gather(np.array([3, 1, 7, 2]))
    assert_array_equal(Xb1, X[[3, 1, 7, 2]])
    assert_array_equal(Yb1, Y[[3, 1, 7, 2]])
    assert wb is None
    Xb2, _, _ = gatherer.gather(np.array([0, 9]))
    assert np.shares_memory(Xb1, Xb2)
    assert_array_equal(Xb2, X[[0, 9]])


def test_gatherer_sparse_and_weights(rng):
    X = sp.csr_matrix(rng.normal(size=(5, 3)))
    y, w = np.array([0, 1, 0, 1, 0]), np.arange(5.0)
    Xb, Yb, wb = MinibatchGatherer(X, y, 2, w, 2).gather(np.array([4, 1]))
    assert_array_equal(Yb, [[1.0, 0.0], [0.0, 1.0]])
    assert sp.issparse(Xb)
    assert_array_equal(Xb.toarray(), X.toarray()[[4, 1]])
    assert_array_equal(wb, [4.0, 1.0])


@pytest.mark.parametrize("table_bytes", [0, 2**20])
def test_gatherer_targets_with_and_without_a_one_hot_table(rng, monkeypatch, table_bytes):
    import skmlp._data as data

    monkeypatch.setattr(data, "_ONE_HOT_TABLE_BYTES", table_bytes)
    X, y = rng.normal(size=(50, 3)).astype(np.float32), rng.randint(0, 4, 50)
    gatherer = MinibatchGatherer(X, y, 4, None, batch_size=8)
    assert (gatherer._Y_all is not None) == (table_bytes > 0)
    for index in [rng.permutation(50)[:8], np.array([49, 0, 3])]:
        _, Yb, _ = gatherer.gather(index)
        assert Yb.dtype == np.float32
        assert_array_equal(Yb, np.eye(4)[y[index]])


def test_one_hot():
    assert_array_equal(one_hot(np.array([1, 0, 2]), 3, np.float32), np.eye(3)[[1, 0, 2]])

"""Training rows: every row a sample, the stratified hold-out, minibatch gathering."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal

from skmlp._data import MinibatchGatherer, Rows, one_hot, split_validation, training_rows


def test_every_row_is_a_sample_even_when_rows_repeat(rng):
    X = np.zeros((120, 3))  # 120 identical rows: still 120 samples
    y = np.tile([0, 1], 60)
    train, val = training_rows(X, y, None, validation_fraction=0.25, rng=rng)
    assert len(train) + len(val) == 120
    assert len(val) == 30  # a quarter of the samples, not of the distinct rows
    assert_array_equal(np.bincount(y[val.index]), [15, 15])
    assert len(np.intersect1d(train.index, val.index)) == 0


def test_without_a_hold_out_every_row_is_trained_on(rng):
    X, y = rng.normal(size=(7, 2)), np.array([0, 1, 0, 1, 0, 1, 0])
    w = np.array([0.0, 1, 1, 0, 1, 1, 1])
    train, val = training_rows(X, y, w, validation_fraction=None, rng=rng)
    assert val is None
    assert_array_equal(train.index, np.arange(7))  # zero-weight rows stay samples
    assert train.index.dtype == np.int32
    assert train.total_weight() == 5.0


def test_all_zero_weights_are_refused(rng):
    X, y = rng.normal(size=(4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="All sample weights are zero"):
        training_rows(X, y, np.zeros(4), validation_fraction=None, rng=rng)


def test_a_hold_out_that_cannot_be_made_says_what_to_do(rng):
    X, y = rng.normal(size=(3, 2)), np.array([0, 1, 2])
    with pytest.raises(ValueError, match="early_stopping=False"):
        training_rows(X, y, None, validation_fraction=0.25, rng=rng)


def test_materialize_copies_the_rows_of_a_set(rng):
    X, y, w = rng.normal(size=(6, 2)), np.array([0, 1, 0, 1, 0, 1]), np.arange(6.0)
    rows = Rows(X, y, w, np.array([4, 1]))
    Xs, ys, ws = rows.materialize()
    assert_array_equal(Xs, X[[4, 1]])
    assert_array_equal(ys, [0, 1])
    assert_array_equal(ws, [4.0, 1.0])


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


@pytest.mark.parametrize("chunk_bytes", [1, 400, 2**20])
@pytest.mark.parametrize("sparse", [False, True])
def test_batches_are_the_minibatches_of_the_order(rng, monkeypatch, chunk_bytes, sparse):
    # chunks of one minibatch, of a few and of the whole epoch give the same batches
    import skmlp._data as data

    monkeypatch.setattr(data, "_CHUNK_BYTES", chunk_bytes)
    X, y, w = rng.normal(size=(23, 3)), rng.randint(0, 3, 23), rng.uniform(size=23)
    X_in = sp.csr_matrix(X) if sparse else X
    gatherer = MinibatchGatherer(X_in, y, 3, w, batch_size=4)
    order = rng.permutation(23)
    batches = list(gatherer.batches(order, 4))
    assert [len(b[2]) for b in batches] == [4, 4, 4, 4, 4, 3]
    Xb, Yb, wb = batches[-1]  # views into the buffers: only the last is still valid
    assert_array_equal(Xb.toarray() if sparse else Xb, X[order[20:]])
    assert_array_equal(Yb, np.eye(3)[y[order[20:]]])
    assert_array_equal(wb, w[order[20:]])
    for i, (Xb, Yb, wb) in enumerate(gatherer.batches(order, 4)):
        rows = order[4 * i : 4 * i + 4]
        assert_array_equal(Xb.toarray() if sparse else Xb, X[rows])
        assert_array_equal(Yb, np.eye(3)[y[rows]])
        assert_array_equal(wb, w[rows])
        if not sparse:
            assert Xb.flags.c_contiguous
            assert Yb.flags.c_contiguous


def test_chunks_stay_small_for_large_minibatches(rng):
    # a minibatch above the chunk size is gathered alone: no extra memory
    import skmlp._data as data

    n_features = data._CHUNK_BYTES // 8 // 16
    X, y = np.zeros((100, n_features)), np.zeros(100, dtype=int)
    assert MinibatchGatherer(X, y, 2, None, batch_size=32)._X_buf.shape == (32, n_features)
    small = MinibatchGatherer(X[:, :3], y, 2, None, batch_size=8)
    assert small._X_buf.shape == (104, 3)  # the whole epoch, in whole minibatches


def test_one_hot():
    assert_array_equal(one_hot(np.array([1, 0, 2]), 3, np.float32), np.eye(3)[[1, 0, 2]])

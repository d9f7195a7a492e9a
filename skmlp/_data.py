"""Training rows: merging duplicates, the validation hold-out, minibatch gathering."""

import numpy as np
import scipy.sparse as sp

#: Largest one-hot target table the minibatch gatherer precomputes; above
#: it, targets are encoded per minibatch (the large-data case, where such a
#: table would add to the memory peak).
_ONE_HOT_TABLE_BYTES = 256 * 2**10

#: Rows per chunk when hashing sparse rows, to bound the dense temporary.
_HASH_CHUNK = 512


def row_keys(X):
    """Project every row on a fixed random direction: a hash of the row's values.

    Equal rows get bit-identical keys wherever they sit in ``X``, and a row
    holding NaN or infinity gets a non-finite key, so that the keys double
    as a one-pass finiteness check (a finite row can still overflow to an
    infinite key: a non-finite key calls for an exact check).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)

    Returns
    -------
    keys : ndarray of shape (n_samples,)
        In ``X``'s dtype for dense input, float64 for sparse input.
    """
    rng = np.random.RandomState(0)  # a fixed projection, not the fit's randomness
    direction = rng.standard_normal(X.shape[1])
    if sp.issparse(X):
        keys = np.empty(X.shape[0])
        for start in range(0, X.shape[0], _HASH_CHUNK):
            block = X[start : start + _HASH_CHUNK]
            keys[start : start + _HASH_CHUNK] = np.asarray(block @ direction).ravel()
        return keys
    # einsum takes one row at a time through the same loop, so equal rows get
    # bit-identical keys; a BLAS matrix-vector product may round a row
    # differently by its position in the block. In X's dtype: a float64
    # direction would cast float32 data.
    return np.einsum("ij,j->i", X, direction.astype(X.dtype, copy=False))


def merge_duplicate_rows(X, y, sample_weight=None, *, keep_order=False, keys=None):
    """Group identical ``(row, label)`` pairs into one row weighted by their total weight.

    Rows of zero weight are dropped. The result does not depend on the order
    or multiplicity of the input rows, so that an integer ``sample_weight`` is
    exactly equivalent to repeating rows, and a weight of zero to removing one.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Features; not modified and not copied.
    y : ndarray of shape (n_samples,)
        Integer class indices.
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative weights; None means all ones.
    keep_order : bool, default=False
        Return the groups in order of first appearance instead of a canonical
        order (features hashed, then label).
    keys : ndarray of shape (n_samples,), default=None
        ``row_keys(X)``, when the caller already has them.

    Returns
    -------
    rows : ndarray of shape (n_unique,)
        Index into ``X`` of one representative row per group.
    weights : ndarray of shape (n_unique,) or None
        Total weight of each group; None when every weight is one.
    counts : ndarray of shape (n_unique,) or None
        Number of input rows in each group; None when every group has one.
    """
    n = X.shape[0]
    key = row_keys(X) if keys is None else keys
    order = np.lexsort((key, y))
    key = key[order]
    same = key[1:] == key[:-1]
    del key
    y_sorted = y[order]
    same &= y_sorted[1:] == y_sorted[:-1]
    del y_sorted
    if same.any():
        # Equal hashes: confirm the rows are really equal before merging them.
        later, earlier = order[1:][same], order[:-1][same]
        same[same] = _rows_equal(X, later, earlier)
    group_starts = np.flatnonzero(np.concatenate(([True], ~same)))
    group_of = np.cumsum(np.concatenate(([True], ~same))) - 1
    positive_rows = None if sample_weight is None else sample_weight[order] > 0
    counts = np.bincount(group_of, weights=positive_rows).astype(np.intp)
    weights = np.bincount(group_of, weights=None if sample_weight is None else sample_weight[order])
    if keep_order:
        first = np.minimum.reduceat(order, group_starts)
        by_appearance = np.argsort(first, kind="stable")
        rows = first[by_appearance]
        weights, counts = weights[by_appearance], counts[by_appearance]
    else:
        rows = order[group_starts]
    positive = weights > 0
    rows, weights, counts = rows[positive], weights[positive], counts[positive]
    all_single = bool(np.all(counts == 1))
    rows = _compact_index(rows, n)
    if sample_weight is None and all_single:
        return rows, None, None
    return rows, weights, None if all_single else counts


def _compact_index(index, n):
    """``index`` as int32 when ``n`` allows: half the memory of the index kept while training."""
    return index.astype(np.int32) if n < 2**31 else index


def _rows_equal(X, a, b):
    if sp.issparse(X):
        diff = X[a] - X[b]
        return np.asarray(abs(diff).sum(axis=1)).ravel() == 0
    return np.all(X[a] == X[b], axis=1)


def split_validation(rows, y, fraction, rng):
    """Stratified random split of ``rows`` into training and validation rows.

    Each class contributes ``round(fraction * n_class)`` rows to the
    validation set (at least one when the class has two or more rows, and
    never all of them), so that the hold-out has the class proportions of the
    data. Classes with a single row stay in the training set.

    Parameters
    ----------
    rows : ndarray of shape (n_rows,)
        Candidate row indices.
    y : ndarray
        Class index of every row of the data (indexed by ``rows``).
    fraction : float
        Share of the rows held out, in (0, 1).
    rng : numpy.random.RandomState
        Randomness of the split.

    Returns
    -------
    train_rows, val_rows : ndarray
        Disjoint subsets of ``rows``, each in the order of ``rows``.
    """
    labels = y[rows]
    is_val = np.zeros(len(rows), dtype=bool)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < 2:
            continue
        n_val = min(max(round(fraction * len(members)), 1), len(members) - 1)
        is_val[rng.choice(members, n_val, replace=False)] = True
    return rows[~is_val], rows[is_val]


class MinibatchGatherer:
    """Copy the rows of each minibatch into buffers reused across batches.

    Targets are one-hot encoded per batch from the class indices, so no
    ``(n_samples, n_classes)`` array is held, unless it is small enough
    (:data:`_ONE_HOT_TABLE_BYTES`) that one gather from a precomputed
    table is cheaper than two.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training features; only read.
    y : ndarray of shape (n_samples,)
        Class indices.
    n_classes : int
        Number of classes.
    weights : ndarray of shape (n_samples,) or None
        Row weights, indexed like ``X``.
    batch_size : int
        Largest batch that will be requested.
    """

    def __init__(self, X, y, n_classes, weights, batch_size):
        self.X, self.y, self.weights = X, y, weights
        dtype = X.dtype
        self._dense = isinstance(X, np.ndarray)
        if self._dense:
            self._X_buf = np.empty((batch_size, X.shape[1]), dtype=dtype)
        self._eye = np.eye(n_classes, dtype=dtype)
        self._Y_all = None
        if len(y) * n_classes * self._eye.itemsize <= _ONE_HOT_TABLE_BYTES:
            self._Y_all = self._eye.take(y, axis=0)
        self._Y_buf = np.empty((batch_size, n_classes), dtype=dtype)

    def gather(self, index):
        """Return ``(X_batch, Y_batch, w_batch)`` for the given row indices."""
        m = len(index)
        # mode="wrap" skips the bounds-checking copy that the default mode makes
        if self._dense:
            Xb = self.X.take(index, axis=0, out=self._X_buf[:m], mode="wrap")
        else:
            Xb = self.X[index]
        if self._Y_all is not None:
            Yb = self._Y_all.take(index, axis=0, out=self._Y_buf[:m], mode="wrap")
        else:
            Yb = self._eye.take(self.y.take(index), axis=0, out=self._Y_buf[:m], mode="wrap")
        wb = None if self.weights is None else self.weights.take(index)
        return Xb, Yb, wb


def one_hot(y, n_classes, dtype):
    """One-hot encode class indices ``y`` as an ``(len(y), n_classes)`` array."""
    Y = np.zeros((len(y), n_classes), dtype=dtype)
    Y[np.arange(len(y)), y] = 1
    return Y

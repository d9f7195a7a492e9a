"""Training rows: the bundle the epoch loop trains on, the validation hold-out, minibatches."""

from dataclasses import dataclass

import numpy as np

#: Largest one-hot target table the minibatch gatherer precomputes; above
#: it, targets are encoded per minibatch (the large-data case, where such a
#: table would add to the memory peak).
_ONE_HOT_TABLE_BYTES = 256 * 2**10

#: Bytes of rows the gatherer copies in one call, as whole minibatches
#: (at least one): small minibatches are gathered many at a time, which
#: saves two NumPy calls per minibatch, while a large minibatch (the
#: large-data case) is still gathered alone and adds nothing to the peak.
_CHUNK_BYTES = 2**20


@dataclass
class Rows:
    """A set of samples: features, encoded targets, weights and which rows to use.

    Every row is one sample: nothing is merged or dropped, and a weight of
    zero only zeroes that row's share of the loss.

    Attributes
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Features; only read, never copied.
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Class indices ``0..n_classes-1``, or a target matrix (multilabel
        indicators, regression targets).
    weights : ndarray of shape (n_samples,) or None
        Row weights indexed like ``X``; None means all ones.
    index : ndarray of shape (n_rows,)
        The rows of ``X`` that belong to this set (int32 when ``X`` allows),
        reordered in place by shuffling.
    """

    X: object
    y: np.ndarray
    weights: np.ndarray | None
    index: np.ndarray

    def __len__(self):
        return len(self.index)

    def total_weight(self):
        """Sum of the weights of the rows in :attr:`index`."""
        if self.weights is None:
            return float(len(self.index))
        return float(self.weights[self.index].sum())

    def materialize(self):
        """``(X, y, weights)`` of the rows in :attr:`index`, as contiguous arrays."""
        index = self.index
        weights = None if self.weights is None else self.weights[index]
        return self.X[index], self.y[index], weights


def training_rows(X, y, sample_weight, *, validation_fraction, rng, stratify=True):
    """Split the samples into the rows trained on and, optionally, a hold-out.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Class indices, or a target matrix.
    sample_weight : ndarray of shape (n_samples,) or None
    validation_fraction : float or None
        Share of the samples held out; None holds out nothing.
    rng : numpy.random.RandomState
        Randomness of the hold-out.
    stratify : bool, default=True
        Hold out the same share of every class (``y`` holds class indices);
        False draws ``ceil(validation_fraction * n_samples)`` rows at random,
        as scikit-learn does for multilabel and regression targets.

    Returns
    -------
    train : Rows
    validation : Rows or None

    Raises
    ------
    ValueError
        When a hold-out is asked for but cannot be made, or when the rows
        trained on (or held out) all have zero weight.
    """
    index = _compact_index(np.arange(X.shape[0]), X.shape[0])
    train = Rows(X, y, sample_weight, index)
    if train.total_weight() <= 0:
        raise ValueError("All sample weights are zero: there is nothing to fit.")
    if validation_fraction is None:
        return train, None
    if stratify:
        train_index, val_index = split_validation(index, y, validation_fraction, rng)
    else:
        train_index, val_index = random_split(index, validation_fraction, rng)
    if len(val_index) == 0 or len(train_index) == 0:
        why = "no class has two samples to split" if stratify else "that leaves no row on a side"
        raise ValueError(
            f"early_stopping=True could not hold out a validation set: with "
            f"{X.shape[0]} training samples and validation_fraction="
            f"{validation_fraction}, {why}. "
            "Provide more data or set early_stopping=False."
        )
    train, validation = (Rows(X, y, sample_weight, i) for i in (train_index, val_index))
    for name, rows in (("training", train), ("validation", validation)):
        if rows.total_weight() <= 0:
            raise ValueError(
                f"Every {name} sample of the early-stopping split has weight zero; "
                "give more rows a positive sample_weight or set early_stopping=False."
            )
    return train, validation


def _compact_index(index, n):
    """``index`` as int32 when ``n`` allows: half the memory of the index kept while training."""
    return index.astype(np.int32) if n < 2**31 else index


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


def random_split(rows, fraction, rng):
    """Random split of ``rows``: ``ceil(fraction * n)`` validation rows, as ``train_test_split``.

    Parameters
    ----------
    rows : ndarray of shape (n_rows,)
        Candidate row indices.
    fraction : float
        Share of the rows held out, in (0, 1).
    rng : numpy.random.RandomState
        Randomness of the split.

    Returns
    -------
    train_rows, val_rows : ndarray
        Disjoint subsets of ``rows``, each in the order of ``rows``; the
        training side is empty when ``rows`` has fewer than two rows.
    """
    n_val = min(int(np.ceil(fraction * len(rows))), len(rows) - 1)
    is_val = np.zeros(len(rows), dtype=bool)
    if n_val > 0:
        is_val[rng.choice(len(rows), n_val, replace=False)] = True
    return rows[~is_val], rows[is_val]


class MinibatchGatherer:
    """Copy the rows of each minibatch into buffers reused across batches.

    Class targets are expanded per batch from the class indices through a
    small table (one-hot rows, or the 0/1 column of a binary problem), so
    no ``(n_samples, n_outputs)`` array is held, unless it is small enough
    (:data:`_ONE_HOT_TABLE_BYTES`) that one gather from a precomputed
    array is cheaper than two. Target matrices are gathered row by row.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training features; only read.
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Class indices (with ``table``), or the target matrix in ``X``'s dtype.
    table : ndarray of shape (n_classes, n_outputs), int or None
        Target row of each class index (an int ``n_classes``: one-hot rows);
        None when ``y`` is a matrix.
    weights : ndarray of shape (n_samples,) or None
        Row weights, indexed like ``X``.
    batch_size : int
        Largest batch that will be requested.
    """

    def __init__(self, X, y, table, weights, batch_size):
        self.X, self.y, self.weights = X, y, weights
        dtype = X.dtype
        self._dense = isinstance(X, np.ndarray)
        if isinstance(table, int | np.integer):
            table = np.eye(table, dtype=dtype)
        self._eye = table
        if table is None:  # a target matrix: its rows are the targets
            self._Y_all = y
        elif len(y) * table.shape[1] * table.itemsize <= _ONE_HOT_TABLE_BYTES:
            self._Y_all = table.take(y, axis=0)
        else:
            self._Y_all = None
        width = y.shape[1] if table is None else table.shape[1]
        self._chunk = batch_size
        if self._dense:
            row_bytes = (X.shape[1] + width) * np.dtype(dtype).itemsize
            per_chunk = max(1, _CHUNK_BYTES // max(1, batch_size * row_bytes))
            n_batches = -(-X.shape[0] // batch_size)
            self._chunk = batch_size * max(1, min(per_chunk, n_batches))
            self._X_buf = np.empty((self._chunk, X.shape[1]), dtype=dtype)
        self._Y_buf = np.empty((self._chunk, width), dtype=dtype)

    def batches(self, order, batch_size):
        """Yield ``(X_batch, Y_batch, w_batch)`` for consecutive minibatches of ``order``.

        Dense rows are copied several minibatches at a time (a chunk of at
        most :data:`_CHUNK_BYTES`, or one minibatch); each minibatch is a
        contiguous view of the chunk, valid until the next one is yielded.

        Parameters
        ----------
        order : ndarray of shape (n_rows,)
            Row indices, in the order of the minibatches.
        batch_size : int
            Rows per minibatch (the last one may have fewer); at most the
            ``batch_size`` the gatherer was made for.

        Yields
        ------
        X_batch : {ndarray, sparse matrix} of shape (m, n_features)
        Y_batch : ndarray of shape (m, n_outputs)
        w_batch : ndarray of shape (m,) or None
        """
        step = max(batch_size, self._chunk - self._chunk % batch_size)
        for chunk_start in range(0, len(order), step):
            Xc, Yc, wc = self.gather(order[chunk_start : chunk_start + step])
            for start in range(0, Xc.shape[0], batch_size):
                stop = start + batch_size
                yield Xc[start:stop], Yc[start:stop], None if wc is None else wc[start:stop]

    def gather(self, index):
        """Return ``(X_batch, Y_batch, w_batch)`` for the given row indices.

        At most one chunk of rows (the ``batch_size`` the gatherer was made
        for, or a multiple of it for small rows): the result lives in the
        gatherer's buffers until the next call.
        """
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

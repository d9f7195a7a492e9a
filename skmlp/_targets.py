"""Targets: what ``y`` becomes for the output layer, and what predictions become for the user.

One object per kind of target decides the width of the network's output,
how the rows a minibatch trains on get their target rows, whether the
early-stopping hold-out is stratified, the validation score recorded per
epoch, and how the output layer's prediction turns into ``predict`` and
``predict_proba``. The estimators hold one and contain no such arithmetic.
"""

import numpy as np


class OneHotClasses:
    """Single-label classes trained as one-hot rows: one output per class.

    Parameters
    ----------
    classes : ndarray of shape (n_classes,)
        Sorted class labels.
    """

    kind = "multiclass"
    stratify = True
    score_name = "val_accuracy"

    def __init__(self, classes):
        self.classes = classes
        self.width = len(classes)

    def encode(self, y, dtype, name="y"):
        """Class index of every label (int32), the compact form the minibatches expand.

        ``dtype`` is not used: class indices stay integers.

        Raises
        ------
        ValueError
            Naming labels that are not in ``classes``.
        """
        return class_indices(y, self.classes, name)

    def table(self, dtype):
        """Target row of each class index: the identity matrix."""
        return np.eye(self.width, dtype=dtype)

    def score(self, P, Y, sample_weight=None):
        """Accuracy of the most probable class against one-hot ``Y``."""
        return _weighted_mean(P.argmax(axis=1) == Y.argmax(axis=1), sample_weight)

    def proba(self, P):
        """``predict_proba`` from the output layer's prediction."""
        return P

    def log_proba(self, network, X):
        """``predict_log_proba``: the output layer's log-prediction."""
        return network.predict_log(X)

    def predict(self, P):
        """Labels from the output layer's prediction."""
        return self.classes[P.argmax(axis=1)]


class BinaryClasses(OneHotClasses):
    """Two classes trained as one logistic unit: the probability of the second class."""

    kind = "binary"

    def __init__(self, classes):
        super().__init__(classes)
        self.width = 1

    def table(self, dtype):
        """Target row of each class index: ``[[0], [1]]``."""
        return np.array([[0.0], [1.0]], dtype=dtype)

    def score(self, P, Y, sample_weight=None):
        """Accuracy of ``P > 0.5`` against the 0/1 column ``Y``."""
        return _weighted_mean((P[:, 0] > 0.5) == (Y[:, 0] > 0.5), sample_weight)

    def proba(self, P):
        """Both columns, ``[1 - p, p]``, as scikit-learn's binary MLP."""
        return np.hstack([1.0 - P, P])

    def log_proba(self, network, X):
        """``[log(1 - p), log p]`` as ``log_predict(-z)`` and ``log_predict(z)`` of the logits.

        Both are finite and accurate where ``p`` rounds to 0 or 1, since
        ``1 - sigmoid(z) = sigmoid(-z)``.
        """
        Z = network.finite_logits(X)
        output = network.layers[-1]
        return np.hstack([output.log_predict(-Z), output.log_predict(Z)])

    def predict(self, P):
        """The second class where ``p > 0.5``, as scikit-learn's label binarizer decides."""
        return self.classes[(P[:, 0] > 0.5).astype(np.intp)]


class Indicator:
    """Multilabel targets: a 0/1 indicator matrix, one logistic output per label.

    Parameters
    ----------
    n_labels : int
        Number of labels (columns of ``y``).
    """

    kind = "multilabel-indicator"
    stratify = False
    score_name = "val_accuracy"

    def __init__(self, n_labels):
        self.width = n_labels
        self.classes = np.arange(n_labels)

    def encode(self, y, dtype, name="y"):
        """The indicator matrix in ``dtype``; ValueError for a different number of labels."""
        y = np.asarray(y)
        if y.ndim != 2 or y.shape[1] != self.width:
            raise ValueError(
                f"{name} must be an indicator matrix with {self.width} columns, got shape "
                f"{y.shape}."
            )
        return y.astype(dtype)

    def table(self, dtype):
        """None: the target rows are the rows of the matrix."""
        return None

    def score(self, P, Y, sample_weight=None):
        """Subset accuracy: every label of the row predicted right."""
        return _weighted_mean(((P > 0.5) == (Y > 0.5)).all(axis=1), sample_weight)

    def proba(self, P):
        """The probability of every label."""
        return P

    def log_proba(self, network, X):
        """The log-probability of every label."""
        return network.predict_log(X)

    def predict(self, P):
        """The indicator matrix of the labels with probability above 0.5."""
        return (P > 0.5).astype(np.int64)


class Continuous:
    """Regression targets: one output per target column.

    Parameters
    ----------
    n_outputs : int
        Number of target columns.
    one_d : bool
        Whether ``y`` was one-dimensional (``predict`` then returns a vector).
    """

    kind = "continuous"
    stratify = False
    score_name = "val_r2"

    def __init__(self, n_outputs, one_d):
        self.width = n_outputs
        self.one_d = one_d

    def encode(self, y, dtype, name="y"):
        """``y`` as a 2-D block in ``dtype``; ValueError for a different number of outputs."""
        Y = np.asarray(y).reshape(len(y), -1)
        if Y.shape[1] != self.width:
            raise ValueError(f"{name} has {Y.shape[1]} outputs; the model has {self.width}.")
        return Y.astype(dtype, copy=False)

    def table(self, dtype):
        """None: the target rows are the rows of the matrix."""
        return None

    def score(self, P, Y, sample_weight=None):
        """Coefficient of determination R², averaged over the outputs (as ``r2_score``)."""
        return r2(Y, P, sample_weight)

    def predict(self, P):
        """The prediction, a vector when ``y`` was one."""
        return P.ravel() if self.one_d else P


def target_matrix(targets, y, dtype):
    """The dense target rows of encoded ``y``, in ``dtype``.

    Parameters
    ----------
    targets : OneHotClasses, BinaryClasses, Indicator or Continuous
    y : ndarray
        Encoded targets (class indices, or a matrix).
    dtype : numpy.dtype

    Returns
    -------
    Y : ndarray of shape (n_samples, targets.width)
    """
    table = targets.table(dtype)
    if table is None:
        return np.asarray(y, dtype=dtype)
    return table.take(y, axis=0)


def r2(Y, P, sample_weight=None):
    """Weighted R² of predictions ``P`` for targets ``Y``, the mean over the columns.

    As scikit-learn's ``r2_score`` with ``force_finite=True``: a constant
    target column scores 1 when predicted exactly and 0 otherwise, and one
    row is not enough (NaN).

    Parameters
    ----------
    Y, P : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    score : float
    """
    if len(Y) < 2:
        return float("nan")
    w = np.ones(len(Y)) if sample_weight is None else sample_weight
    mean = np.average(Y, axis=0, weights=w)
    residual = w @ (Y - P) ** 2
    total = w @ (Y - mean) ** 2
    constant = total == 0
    scores = np.where(constant, 0.0, 1.0 - residual / np.where(constant, 1.0, total))
    scores[constant & (residual == 0)] = 1.0
    return float(scores.mean())


def class_indices(labels, classes, name):
    """Index of every label in the sorted ``classes`` (int32); ValueError naming unknown ones."""
    unknown = np.setdiff1d(labels, classes)
    if len(unknown):
        raise ValueError(
            f"{name} contains labels {unknown!r} that are not in classes_ {classes!r}."
        )
    return np.searchsorted(classes, labels).astype(np.int32)


def _weighted_mean(correct, sample_weight):
    if sample_weight is None:
        return float(np.mean(correct))
    return float(np.dot(correct, sample_weight) / sample_weight.sum())

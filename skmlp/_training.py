"""The epoch loop: minibatches, stopping on a plateau, and the per-epoch record."""

import time
from dataclasses import dataclass

import numpy as np

from skmlp._data import MinibatchGatherer, one_hot, split_validation
from skmlp._losses import log_loss_from_logits


@dataclass
class TrainingConfig:
    """Settings of the epoch loop (already validated by the estimator).

    Attributes
    ----------
    batch_size : int
        Rows per minibatch (the last batch of an epoch may be smaller).
    max_iter : int
        Epochs to run at most in this call.
    shuffle : bool
        Reshuffle the training rows before each epoch.
    early_stopping : bool
        Hold out ``validation_fraction`` of the rows and stop on their loss.
    validation_fraction : float
        Share of rows held out when ``early_stopping`` is on.
    n_iter_no_change : int
        Epochs without an improvement of at least ``tol`` before a plateau.
    tol : float
        Required improvement of the monitored loss.
    alpha : float
        L2 penalty strength.
    verbose : bool
        Print one line per epoch.
    """

    batch_size: int
    max_iter: int
    shuffle: bool = True
    early_stopping: bool = False
    validation_fraction: float = 0.1
    n_iter_no_change: int = 7
    tol: float = 1e-4
    alpha: float = 0.0
    verbose: bool = False


class EarlyStopping:
    """Count epochs without improvement and keep the best parameters seen.

    Parameters
    ----------
    patience : int
        Epochs without an improvement of at least ``tol`` that make a plateau.
    tol : float
        Required improvement.
    keep_best : bool
        Copy the parameters at each new best, so they can be restored.
    """

    def __init__(self, patience, tol, keep_best):
        self.patience = patience
        self.tol = tol
        self.keep_best = keep_best
        self.best = np.inf
        self.best_epoch = 0
        self.best_params = None
        self.misses = 0

    def update(self, value, params, epoch):
        """Record one epoch's monitored loss; return True on a plateau.

        Parameters
        ----------
        value : float
            The monitored loss of this epoch.
        params : ndarray
            The flat parameter vector after this epoch.
        epoch : int
            The epoch number, for :attr:`best_epoch`.

        Returns
        -------
        plateau : bool
            True once ``patience`` consecutive epochs brought no improvement
            of at least ``tol`` over the best value.
        """
        if value < self.best - self.tol:
            self.misses = 0
        else:
            self.misses += 1
        if value < self.best:
            self.best = value
            self.best_epoch = epoch
            if self.keep_best:
                if self.best_params is None:
                    self.best_params = params.copy()
                else:
                    self.best_params[...] = params
        return self.misses >= self.patience

    def restart(self):
        """Forget the miss count (after the learning rate was lowered)."""
        self.misses = 0


class History:
    """One record per epoch, turned into a DataFrame on demand."""

    columns = ("epoch", "train_loss", "val_loss", "val_accuracy", "learning_rate", "seconds")

    def __init__(self):
        self.records = []
        self.batch_losses = []

    def append(self, **record):
        """Add one epoch's values (keys from :attr:`columns`)."""
        self.records.append(record)

    def column(self, name):
        """Return one column as a list."""
        return [r[name] for r in self.records]

    def to_frame(self):
        """Return the records as a :class:`pandas.DataFrame`, one row per epoch."""
        import pandas as pd

        return pd.DataFrame(self.records, columns=list(self.columns))


@dataclass
class TrainingResult:
    """What a call of :func:`train` did."""

    n_epochs: int = 0
    t: int = 0
    stopped: bool = False
    best_epoch: int = 0


def train(
    network,
    optimizer,
    schedule,
    X,
    y,
    rows,
    weights,
    config,
    rng,
    history,
    *,
    n_classes,
    counts=None,
    state=None,
    epoch_offset=0,
    t_offset=0,
    validation=None,
):
    """Run minibatch epochs until a plateau or ``config.max_iter`` epochs.

    Parameters
    ----------
    network : Network
        Built network; its parameters are updated in place.
    optimizer : SGD or Adam
        Updates ``network.flat_params``.
    schedule : ConstantSchedule
        Learning-rate schedule; ``optimizer.learning_rate`` follows it.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Features; only read.
    y : ndarray of shape (n_samples,)
        Class indices ``0..n_classes-1``.
    rows : ndarray of shape (n_rows,)
        Indices of the rows of ``X`` to use; reordered in place (no copy of
        an index array the size of the data is made).
    weights : ndarray of shape (n_samples,) or None
        Per-row weights indexed like ``X``; None for unit weights.
    config : TrainingConfig
        The loop's settings.
    rng : numpy.random.RandomState
        Randomness for the hold-out and the shuffling.
    history : History
        Receives one record per epoch.
    n_classes : int
        Number of classes (width of the one-hot targets).
    counts : ndarray of shape (n_samples,), default=None
        How many input rows each row of ``X`` stands for (after duplicates
        were merged), for counting samples seen; None means one each.
    state : EarlyStopping, default=None
        Plateau tracker carried over from an earlier call (warm start).
    epoch_offset, t_offset : int, default=0
        Epochs run and samples seen before this call.
    validation : tuple of (X_val, y_val, w_val), default=None
        Data given by the caller, evaluated after every epoch (log-loss and
        accuracy recorded in ``history``) in place of a hold-out of ``X``;
        ``w_val`` may be None. Only recorded: it decides neither stopping
        nor which weights are kept. Ignored when ``config.early_stopping``
        holds out part of ``X`` instead.

    Returns
    -------
    result : TrainingResult
    state : EarlyStopping
    """
    if config.early_stopping:
        train_rows, val_rows = split_validation(rows, y, config.validation_fraction, rng)
        if len(val_rows) == 0 or len(train_rows) == 0:
            raise ValueError(
                f"early_stopping=True could not hold out a validation set: with "
                f"{len(rows)} distinct training rows and validation_fraction="
                f"{config.validation_fraction}, no class has two rows to split. "
                "Provide more data or set early_stopping=False."
            )
    else:
        train_rows, val_rows = rows, None
    if state is None:
        state = EarlyStopping(config.n_iter_no_change, config.tol, config.early_stopping)
    batch_size = min(config.batch_size, len(train_rows))
    gatherer = MinibatchGatherer(X, y, n_classes, weights, batch_size)
    if val_rows is not None:
        validation = (X[val_rows], y[val_rows], None if weights is None else weights[val_rows])
    samples_per_epoch = len(train_rows) if counts is None else int(counts[train_rows].sum())
    order = train_rows  # shuffled in place: the caller hands over ``rows``
    result = TrainingResult(t=t_offset)
    batch_losses = np.empty(-(-len(order) // batch_size))
    if weights is None:
        total_weight = float(len(order))
    else:
        total_weight = float(weights[order].sum())

    # bound once: the minibatch loop below is the hot path
    gather, loss_and_grad, step = gatherer.gather, network.loss_and_grad, optimizer.step
    params, grads, alpha = network.flat_params, network.flat_grads, config.alpha
    for epoch in range(epoch_offset + 1, epoch_offset + config.max_iter + 1):
        start_time = time.perf_counter()
        if config.shuffle:
            rng.shuffle(order)
        epoch_loss = 0.0
        for i, start in enumerate(range(0, len(order), batch_size)):
            Xb, Yb, wb = gather(order[start : start + batch_size])
            loss = loss_and_grad(Xb, Yb, wb, alpha=alpha, grad_scale=optimizer.grad_scale)
            step(params, grads)
            batch_losses[i] = loss
            epoch_loss += loss * (Xb.shape[0] if wb is None else float(wb.sum()))
        result.t += samples_per_epoch
        result.n_epochs += 1
        train_loss = epoch_loss / total_weight
        history.batch_losses.append(batch_losses.copy())
        learning_rate = optimizer.learning_rate

        if validation is not None:
            val_loss, val_accuracy = evaluate(network, *validation)
            monitored = val_loss if config.early_stopping else train_loss
        else:
            val_loss = val_accuracy = np.nan
            monitored = train_loss
        if not np.isfinite(train_loss):
            raise FloatingPointError(
                f"The training loss became {train_loss} at epoch {epoch}; lower "
                "learning_rate_init or scale the input features."
            )
        seconds = time.perf_counter() - start_time
        history.append(
            epoch=epoch,
            train_loss=train_loss,
            val_loss=val_loss,
            val_accuracy=val_accuracy,
            learning_rate=learning_rate,
            seconds=seconds,
        )
        if config.verbose:
            print(
                f"Epoch {epoch}: train loss {train_loss:.6f}, validation loss "
                f"{val_loss:.6f}, validation accuracy {val_accuracy:.4f}, "
                f"{seconds:.3f} s"
            )

        plateau = state.update(monitored, network.flat_params, epoch)
        optimizer.learning_rate = schedule.epoch_end(optimizer.learning_rate, result.t)
        if plateau:
            lowered = schedule.on_plateau(optimizer.learning_rate)
            if lowered is None:
                result.stopped = True
                break
            optimizer.learning_rate = lowered
            state.restart()
            if config.verbose:
                print(f"Learning rate lowered to {lowered:g}")

    if config.early_stopping and state.best_params is not None:
        network.flat_params[...] = state.best_params
    result.best_epoch = state.best_epoch
    return result, state


def evaluate(network, X, y, sample_weight=None):
    """Log-loss and accuracy of the network on ``X`` with class indices ``y``.

    Parameters
    ----------
    network : Network
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Class indices.
    sample_weight : ndarray of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    loss : float
    accuracy : float
    """
    Z = network.logits(X)
    loss = log_loss_from_logits(Z, one_hot(y, Z.shape[1], Z.dtype), sample_weight)
    correct = (Z.argmax(axis=1) == y).astype(float)
    if sample_weight is None:
        return loss, float(correct.mean())
    return loss, float(np.dot(correct, sample_weight) / sample_weight.sum())

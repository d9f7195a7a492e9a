"""The epoch loop: minibatches, stopping on a plateau, divergence, and the per-epoch record.

:func:`train` is three named steps: :func:`run_epoch` (one pass of
minibatch updates), :func:`evaluate` (the validation loss through the
network's output layer) and :meth:`EarlyStopping.update` (the stopping
decision). It trains the network it is given in place; the estimator hands
it a network it does not hold yet, so that a failed call changes nothing.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skmlp._data import MinibatchGatherer
from skmlp._targets import target_matrix


@dataclass
class TrainingConfig:
    """Settings of the epoch loop, resolved and validated by the estimator.

    Attributes
    ----------
    batch_size : int
        Rows per minibatch, already clipped to the training rows (the last
        batch of an epoch may be smaller).
    max_iter : int
        Epochs to run at most in this call.
    shuffle : bool
        Reshuffle the training rows before each epoch.
    early_stopping : bool
        Stop on the validation loss and restore the best epoch's weights
        (requires validation rows).
    n_iter_no_change : int
        Epochs without an improvement of at least ``tol`` that make a plateau.
    tol : float
        Required improvement of the monitored loss.
    alpha : float
        L2 penalty strength.
    verbose : bool
        Print one line per epoch.
    """

    batch_size: int
    max_iter: int
    shuffle: bool
    early_stopping: bool
    n_iter_no_change: int
    tol: float
    alpha: float
    verbose: bool


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

    Attributes
    ----------
    best : float
        Lowest monitored loss seen (inf before the first epoch).
    best_epoch : int
        Epoch of :attr:`best` (0 before the first epoch).
    best_params : ndarray or None
        Copy of the parameters at :attr:`best_epoch`, with ``keep_best``.
    best_record : dict or None
        The history record of :attr:`best_epoch`.
    """

    def __init__(self, patience, tol, keep_best):
        self.patience = patience
        self.tol = tol
        self.keep_best = keep_best
        self.best = np.inf
        self.best_epoch = 0
        self.best_params = None
        self.best_record = None
        self.misses = 0

    def update(self, value, params, epoch, record=None):
        """Record one epoch's monitored loss; return True on a plateau.

        Parameters
        ----------
        value : float
            The monitored loss of this epoch.
        params : ndarray
            The flat parameter vector after this epoch.
        epoch : int
            The epoch number, for :attr:`best_epoch`.
        record : dict, default=None
            The epoch's history record, kept as :attr:`best_record`.

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
            self.best_record = record
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
    """One record per epoch, turned into a DataFrame on demand.

    Parameters
    ----------
    score_name : str, default="val_accuracy"
        Name of the validation-score column (``"val_r2"`` for regression).
    """

    def __init__(self, score_name="val_accuracy"):
        self.score_name = score_name
        self.columns = ("epoch", "train_loss", "val_loss", score_name, "learning_rate", "seconds")
        self.records = []
        self.batch_losses = []

    def add_column(self, name):
        """Add a column (before ``learning_rate``); records without it read NaN."""
        if name not in self.columns:
            at = self.columns.index("learning_rate")
            self.columns = (*self.columns[:at], name, *self.columns[at:])

    def append(self, **record):
        """Add one epoch's values (keys from :attr:`columns`)."""
        self.records.append(record)

    def column(self, name):
        """Return one column as a list (NaN for the records without it)."""
        return [r.get(name, np.nan) for r in self.records]

    def copy(self):
        """Return an independent history with the same records (for a new fit to extend)."""
        new = History(self.score_name)
        new.columns = self.columns
        new.records = list(self.records)
        new.batch_losses = list(self.batch_losses)
        return new

    def to_frame(self):
        """Return the records as a :class:`pandas.DataFrame`, one row per epoch."""
        import pandas as pd

        return pd.DataFrame(self.records, columns=list(self.columns))


@dataclass
class TrainingResult:
    """What one call of :func:`train` did: the one source of the fitted attributes.

    Attributes
    ----------
    n_epochs : int
        Epochs completed in this call.
    t : int
        Samples seen by the optimizer, counted from before the call.
    converged : bool
        Training stopped on a plateau (not on ``max_iter``, divergence or an
        interrupt).
    interrupted : bool
        Stopped by ``KeyboardInterrupt``.
    stopped_by_callback : bool
        A callback's ``on_fit_task_end`` asked to stop after an epoch.
    diverged_epoch : int or None
        Epoch at which the loss or the weights became non-finite (the best
        weights were restored).
    restored_best : bool
        The weights are those of the stopper's best epoch.
    stop_reason : str
        Why training stopped, one sentence (the verbose output's last line).
    """

    n_epochs: int = 0
    t: int = 0
    converged: bool = False
    interrupted: bool = False
    stopped_by_callback: bool = False
    diverged_epoch: int | None = None
    restored_best: bool = False
    stop_reason: str = ""
    records: list = field(default_factory=list)


class _Diverged(Exception):
    def __init__(self, epoch, what):
        super().__init__(epoch, what)
        self.epoch, self.what = epoch, what


def train(
    network,
    optimizer,
    schedule,
    train_rows,
    *,
    config,
    rng,
    history,
    stopper,
    targets,
    validation=None,
    epoch_offset=0,
    t_offset=0,
    epoch_hooks=None,
    monitor=None,
):
    """Run minibatch epochs until a plateau, ``config.max_iter`` epochs or divergence.

    Parameters
    ----------
    network : Network
        Built network; its parameters are updated in place.
    optimizer : SGD or Adam
        Updates ``network.flat_params``.
    schedule : ConstantSchedule
        Learning-rate schedule; ``optimizer.learning_rate`` follows it.
    train_rows : Rows
        The samples trained on; their ``index`` is shuffled in place.
    config : TrainingConfig
        The loop's settings.
    rng : numpy.random.RandomState
        Randomness of the shuffling.
    history : History
        Receives one record per completed epoch.
    stopper : EarlyStopping
        Tracks the monitored loss (the validation loss under early
        stopping, else the training loss).
    targets : OneHotClasses, BinaryClasses, Indicator or Continuous
        What the rows' targets are (:mod:`skmlp._targets`): their width,
        the target rows of the minibatches and the validation score.
    validation : Rows, default=None
        Evaluated after every epoch; with ``config.early_stopping`` it
        decides when to stop and which weights are kept, without it it is
        only recorded.
    epoch_offset, t_offset : int, default=0
        Epochs and samples counted before this call.
    epoch_hooks : EpochHooks, default=None
        Called before (``begin(params)``) and after (``end(params)``, True
        to stop) every epoch, and ``abandon()`` for an epoch that does not
        complete; None runs no hooks.
    monitor : callable, default=None
        ``monitor()`` scores the network's current weights on the
        validation rows (higher is better), recorded as ``"val_score"``
        after every epoch; with ``config.early_stopping`` it replaces the
        validation loss as what the stopper watches (as ``-score``).
        ``monitor.name`` names it in :attr:`TrainingResult.stop_reason`.
        None watches the loss.

    Returns
    -------
    result : TrainingResult

    Raises
    ------
    ValueError
        When the loss or the weights become non-finite and there are no
        earlier best weights to return to, when the validation loss is
        not finite, or when the monitored score is NaN.
    """
    batch_size = config.batch_size
    dtype = network.flat_params.dtype
    gatherer = MinibatchGatherer(
        train_rows.X, train_rows.y, targets.table(dtype), train_rows.weights, batch_size
    )
    total_weight = train_rows.total_weight()
    val_data = None
    if validation is not None:
        X_val, y_val, w_val = validation.materialize()
        val_data = (X_val, target_matrix(targets, y_val, dtype), w_val)
    result = TrainingResult(t=t_offset)
    batch_losses = np.empty(-(-len(train_rows) // batch_size))
    watch_score = config.early_stopping and val_data is not None and monitor is not None
    watch_val = config.early_stopping and val_data is not None
    epoch = epoch_offset
    try:
        for epoch in range(epoch_offset + 1, epoch_offset + config.max_iter + 1):
            start_time = time.perf_counter()
            if epoch_hooks is not None:
                epoch_hooks.begin(network.flat_params)
            if config.shuffle:
                rng.shuffle(train_rows.index)
            train_loss = run_epoch(
                network,
                optimizer,
                gatherer,
                train_rows.index,
                batch_size=batch_size,
                alpha=config.alpha,
                batch_losses=batch_losses,
            )
            train_loss /= total_weight
            if not np.isfinite(train_loss):
                raise _Diverged(epoch, f"the training loss became {train_loss}")
            if not np.isfinite(network.flat_params).all():
                raise _Diverged(epoch, "the weights became non-finite")
            val_loss = val_score = np.nan
            if val_data is not None:
                try:
                    val_loss, val_score = evaluate(
                        network, *val_data, score=targets.score, epoch=epoch
                    )
                except ValueError as error:  # the network overflows on the held-out rows
                    raise _Diverged(epoch, str(error)) from error
            result.t += len(train_rows)
            result.n_epochs += 1
            record = {
                "epoch": epoch,
                "train_loss": train_loss,
                "val_loss": val_loss,
                history.score_name: val_score,
                "learning_rate": optimizer.learning_rate,
                "seconds": time.perf_counter() - start_time,
            }
            if monitor is not None and val_data is not None:
                record["val_score"] = check_score(monitor(), monitor.name, epoch)
            history.append(**record)
            history.batch_losses.append(batch_losses.copy())
            if config.verbose:
                _print_epoch(record, history.score_name)
            if watch_score:
                monitored = -record["val_score"]
            else:
                monitored = val_loss if watch_val else train_loss
            plateau = stopper.update(monitored, network.flat_params, epoch, record)
            stop = epoch_hooks is not None and epoch_hooks.end(network.flat_params)
            optimizer.learning_rate = schedule.epoch_end(optimizer.learning_rate, result.t)
            if stop:
                result.stopped_by_callback = True
                result.stop_reason = f"A callback asked to stop after epoch {epoch}."
                break
            if plateau:
                lowered = schedule.on_plateau(optimizer.learning_rate)
                if lowered is None:
                    result.converged = True
                    what = _watched(watch_val, watch_score and monitor.name)
                    result.stop_reason = (
                        f"{what} did not improve more than tol={config.tol:g} for "
                        f"{stopper.misses} consecutive epochs. Stopping."
                    )
                    break
                optimizer.learning_rate = lowered
                stopper.restart()
                if config.verbose:
                    print(f"Learning rate lowered to {lowered:g}")
        else:
            result.stop_reason = f"Reached max_iter={config.max_iter} epochs. Stopping."
    except _Diverged as diverged:
        if epoch_hooks is not None:
            epoch_hooks.abandon()
        _recover_from_divergence(network, stopper, config, diverged, result)
        result.stop_reason = f"Training diverged at epoch {diverged.epoch} ({diverged.what})."
    except KeyboardInterrupt:
        if epoch_hooks is not None:
            epoch_hooks.abandon()
        if result.n_epochs == 0 or not np.isfinite(network.flat_params).all():
            raise  # nothing consistent to keep: the estimator stays as it was
        warnings.warn("Training interrupted by user.", stacklevel=3)
        result.interrupted = True
        result.stop_reason = (
            f"Interrupted by the user (KeyboardInterrupt) during epoch {epoch}; the "
            f"model of epoch {epoch_offset + result.n_epochs} is kept."
        )
    if config.early_stopping and stopper.best_params is not None and not result.restored_best:
        network.flat_params[...] = stopper.best_params
        result.restored_best = True
    if result.restored_best:
        what = _watched(watch_val, watch_score and monitor.name)
        result.stop_reason += (
            f" Restored the weights of epoch {stopper.best_epoch}, the best "
            f"{what[0].lower()}{what[1:]}."
        )
    return result


def check_score(score, name, epoch):
    """``score`` as a float; ValueError when it is NaN (no epoch could be compared)."""
    score = float(score)
    if np.isnan(score):
        raise ValueError(
            f"The validation score ({name}) is NaN after epoch {epoch}: the scorer cannot "
            "score these validation rows (too few rows, or one class only?). Choose "
            "another scoring or more validation rows."
        )
    return score


def _watched(validation, score_name):
    """What the stopper watched, for the stop line."""
    if score_name:
        return f"Validation score ({score_name})"
    return "Validation loss" if validation else "Training loss"


def run_epoch(network, optimizer, gatherer, order, *, batch_size, alpha, batch_losses):
    """One pass of minibatch updates over the rows ``order``.

    Parameters
    ----------
    network : Network
    optimizer : SGD or Adam
    gatherer : MinibatchGatherer
    order : ndarray of shape (n_rows,)
        Row indices in the order of this epoch.
    batch_size : int
    alpha : float
        L2 penalty strength.
    batch_losses : ndarray of shape (n_batches,)
        Receives each minibatch's loss.

    Returns
    -------
    weighted_loss : float
        Sum over minibatches of the loss times the minibatch's total weight
        (divide by the total weight for the epoch's mean loss).
    """
    # bound once: the minibatch loop below is the hot path
    loss_and_grad, step = network.loss_and_grad, optimizer.step
    params, grads = network.flat_params, network.flat_grads
    epoch_loss = 0.0
    for i, (Xb, Yb, wb) in enumerate(gatherer.batches(order, batch_size)):
        if wb is None:
            weight = Xb.shape[0]
        else:
            weight = float(wb.sum())
            if weight == 0:  # every row of the batch has weight zero: no gradient
                batch_losses[i] = 0.0
                continue
        loss = loss_and_grad(Xb, Yb, wb, alpha=alpha, grad_scale=optimizer.grad_scale)
        step(params, grads)
        batch_losses[i] = loss
        epoch_loss += loss * weight
    return epoch_loss


def evaluate(network, X, Y, sample_weight=None, *, score, epoch=None):
    """Loss (through the output layer) and score of the network on held-out rows.

    Parameters
    ----------
    network : Network
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        Target rows (one-hot for classes).
    sample_weight : ndarray of shape (n_samples,), default=None
        Row weights.
    score : callable
        ``score(P, Y, sample_weight)`` of the output layer's prediction:
        accuracy, or R² for regression.
    epoch : int, default=None
        Named in the error message.

    Returns
    -------
    loss : float
    score : float

    Raises
    ------
    ValueError
        When the validation loss is not finite.
    """
    Z = network.logits(X)  # one prediction-mode pass serves the loss and the accuracy
    loss, prediction = np.nan, None
    if np.isfinite(Z).all():
        loss, prediction = network.layers[-1].loss_and_predict(Z, Y, sample_weight)
    if not np.isfinite(loss):
        raise ValueError(
            f"The validation loss became {loss} after epoch {epoch}: a layer "
            "returns non-finite values in prediction mode, or the network "
            "diverged. Check custom layers' training=False path, lower "
            "learning_rate_init or scale the input features."
        )
    return float(loss), score(prediction, Y, sample_weight)


def _recover_from_divergence(network, stopper, config, diverged, result):
    advice = "lower learning_rate_init, add a penalty (alpha) or scale the input features"
    if config.early_stopping and stopper.best_params is not None:
        network.flat_params[...] = stopper.best_params
        result.restored_best = True
        result.diverged_epoch = diverged.epoch
        warnings.warn(
            f"Training diverged at epoch {diverged.epoch} ({diverged.what}); the "
            f"weights of epoch {stopper.best_epoch}, the best validation loss, were "
            f"restored. To train further, {advice}.",
            ConvergenceWarning,
            stacklevel=4,
        )
        return
    raise ValueError(
        f"Training diverged at epoch {diverged.epoch}: {diverged.what}. To fix it, {advice}."
    )


def _print_epoch(record, score_name):
    what = {"val_accuracy": "accuracy", "val_r2": "R2"}[score_name]
    score = f", validation score {record['val_score']:.4f}" if "val_score" in record else ""
    print(
        f"Epoch {record['epoch']}: train loss {record['train_loss']:.6f}, validation "
        f"loss {record['val_loss']:.6f}, validation {what} "
        f"{record[score_name]:.4f}{score}, {record['seconds']:.3f} s"
    )

"""Full-batch L-BFGS on the flat parameter vector, as scikit-learn's ``solver="lbfgs"``."""

import time
import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from skmlp._targets import target_matrix
from skmlp._training import TrainingResult, check_score, evaluate


def fit_lbfgs(
    network,
    rows,
    *,
    targets,
    alpha,
    max_iter,
    max_fun,
    tol,
    verbose,
    history,
    stopper,
    epoch_offset=0,
    t_offset=0,
    validation=None,
    epoch_hooks=None,
    monitor=None,
):
    """Minimise the penalised loss over all rows with L-BFGS-B and the analytic gradient.

    Parameters
    ----------
    network : Network
        Built network; ``flat_params`` is the starting point and receives the
        solution.
    rows : Rows
        Every training row (there is no hold-out under L-BFGS).
    targets : OneHotClasses, BinaryClasses, Indicator or Continuous
        Expands the rows' encoded targets.
    alpha : float
        L2 penalty strength.
    max_iter : int
        Iterations of L-BFGS at most.
    max_fun : int
        Loss evaluations at most.
    tol : float
        Gradient tolerance (scipy's ``gtol``).
    verbose : bool
        Print the loss of every iteration.
    history : History
        Receives one record per iteration (``train_loss``, and the
        validation loss and score with ``validation``).
    stopper : EarlyStopping
        Tracks the lowest loss, for ``best_epoch_`` and ``best_loss_``.
    epoch_offset, t_offset : int, default=0
        Iterations and samples counted before this call.
    validation : Rows, default=None
        Evaluated at every iteration's solution and recorded; it never
        stops L-BFGS nor decides which weights are kept.
    epoch_hooks : EpochHooks, default=None
        Called for every iteration once scipy reports it: ``begin`` with
        the previous iteration's solution, then ``end`` with this one (True
        stops L-BFGS after it); None runs no hooks.
    monitor : callable, default=None
        ``monitor()`` scores every iteration's solution on the validation
        rows, recorded as ``"val_score"`` (with ``validation`` only).

    Returns
    -------
    result : TrainingResult
        ``n_epochs`` is the number of L-BFGS iterations.

    Raises
    ------
    ValueError
        When the solution is not finite.
    """
    X, y, weights = rows.X, rows.y, rows.weights  # every row, in order: no copy
    params = network.flat_params
    Y = target_matrix(targets, y, params.dtype)
    grads = network.flat_grads
    start = [time.perf_counter()]
    val_data = None
    if validation is not None:
        X_val, y_val, w_val = validation.materialize()
        val_data = (X_val, target_matrix(targets, y_val, params.dtype), w_val)
    watched = val_data is not None or epoch_hooks is not None
    previous = [params.copy()] if epoch_hooks is not None else None
    stopped = [False]

    def loss_and_grad(theta):
        params[...] = theta
        loss = network.loss_and_grad(X, Y, weights, alpha=alpha)
        return loss, grads.astype(np.float64)

    def record_iteration(intermediate_result):
        epoch = epoch_offset + len(history.records) - n_before + 1
        loss = float(intermediate_result.fun)
        if watched:  # the last loss evaluated may be a trial point: use the solution
            params[...] = intermediate_result.x
        val_loss = val_score = np.nan
        if val_data is not None:
            val_loss, val_score = evaluate(network, *val_data, score=targets.score, epoch=epoch)
        now = time.perf_counter()
        record = {
            "epoch": epoch,
            "train_loss": loss,
            "val_loss": val_loss,
            history.score_name: val_score,
            "learning_rate": np.nan,
            "seconds": now - start[0],
        }
        start[0] = now
        if monitor is not None and val_data is not None:
            record["val_score"] = check_score(monitor(), monitor.name, epoch)
        history.append(**record)
        history.batch_losses.append(np.array([loss]))
        stopper.update(loss, params, epoch, record)
        if verbose:
            print(f"Iteration {epoch}: loss {loss:.6f}")
        if epoch_hooks is not None:
            epoch_hooks.begin(previous[0])
            previous[0] = params.copy()
            stopped[0] = epoch_hooks.end(previous[0])
        return stopped[0]

    def on_iteration(intermediate_result):
        if record_iteration(intermediate_result):
            raise StopIteration  # a callback asked to stop: scipy ends at this iteration

    n_before = len(history.records)
    with warnings.catch_warnings():
        # a trial step may overflow: L-BFGS then backtracks on the inf loss
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        res = scipy.optimize.minimize(
            loss_and_grad,
            params.astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=on_iteration,
            options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
        )
    params[...] = res.x
    if not np.isfinite(params).all():
        raise ValueError(
            "L-BFGS produced non-finite weights. Scale the input features (for instance "
            "with StandardScaler) or add a penalty (alpha)."
        )
    n_iter = min(res.nit, max_iter)
    if not history.records[n_before:]:  # stopped before its first iteration
        record_iteration(res)
    if res.status != 0 and not stopped[0]:
        warnings.warn(
            f"lbfgs failed to converge after {n_iter} iteration(s) (status={res.status}): "
            f"{res.message}. Increase the number of iterations (max_iter) or of loss "
            "evaluations (max_fun), or scale the data.",
            ConvergenceWarning,
            stacklevel=4,
        )
    if stopped[0]:
        reason = f"A callback asked to stop after iteration {epoch_offset + n_iter}."
    else:
        reason = f"L-BFGS stopped after {n_iter} iteration(s): {res.message}"
    return TrainingResult(
        n_epochs=n_iter,
        t=t_offset,
        converged=res.status == 0 and not stopped[0],
        stopped_by_callback=stopped[0],
        stop_reason=reason,
    )

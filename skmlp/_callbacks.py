"""scikit-learn's callback API (1.9 and later) behind a version guard: fit tasks and their epochs.

A ``fit`` is one root task whose subtasks are its epochs (L-BFGS
iterations); a ``partial_fit`` call is one task without subtasks. The
estimator opens a :class:`FitTask`; the epoch loop only sees an
:class:`EpochHooks` (or None, when no callback is set), whose ``begin`` and
``end`` it calls around every epoch. With scikit-learn before 1.9 there is
no callback API: the estimators have no ``set_callbacks`` and a
:class:`FitTask` does nothing.

Teardown: from 1.9 on, scikit-learn's ``_fit_context`` (which decorates
``fit`` and ``partial_fit``) runs every fit method inside the same
``callback_management_context`` as ``sklearn.callback.with_callbacks``, so
the callbacks are torn down whether the fit returns or raises; decorating
the methods with ``with_callbacks`` as well would only add a stack frame.
"""

try:
    from sklearn.callback import CallbackSupportMixin

    CALLBACKS_AVAILABLE = True
except ImportError:  # scikit-learn < 1.9: no callbacks, nothing to set up or tear down
    CALLBACKS_AVAILABLE = False

    class CallbackSupportMixin:
        """Stands in for scikit-learn's mixin before 1.9: adds nothing."""


__all__ = ["CALLBACKS_AVAILABLE", "CallbackSupportMixin", "EpochHooks", "FitTask"]


class FitTask:
    """The callback task of one ``fit`` or ``partial_fit`` call.

    Opening it creates the estimator's root callback context (which sets up
    the callbacks registered on it; scikit-learn tears them down when the
    decorated fit method returns or raises) and calls ``on_fit_task_begin``.

    Parameters
    ----------
    estimator : MLPLayerClassifier or MLPLayerRegressor
        The estimator being fitted.
    X, y : array-like
        The data given to the fit method, passed to the hooks as given.
    sample_weight : ndarray or None
        The caller's row weights, passed to the hooks as ``metadata``.
    task_name : str
        ``"fit"`` or ``"partial_fit"``.
    max_subtasks : int
        Epochs (or L-BFGS iterations) the task may run; 0 for a task
        without subtasks.
    """

    def __init__(self, estimator, X, y, sample_weight, *, task_name, max_subtasks):
        self.estimator = estimator
        self.X, self.y = X, y
        self.metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        self._ctx = None
        if CALLBACKS_AVAILABLE:
            self._ctx = estimator._init_callback_context(
                task_name=task_name, max_subtasks=max_subtasks
            )
            self._ctx.call_on_fit_task_begin(estimator=estimator, X=X, y=y, metadata=self.metadata)

    def epoch_hooks(self, snapshot, *, task_name="epoch"):
        """The per-epoch hooks, or None when no callback is set on the estimator.

        Parameters
        ----------
        snapshot : callable
            ``snapshot(params)`` returns the reconstruction attributes of a
            model with a copy of the flat parameter vector ``params``; it is
            called only when a callback asks for a ``fitted_estimator``.
        task_name : str, default="epoch"
            Name of the subtasks.
        """
        if self._ctx is None or not hasattr(self.estimator, "_skl_callbacks"):
            return None  # no callback: the epoch loop runs without hooks
        return EpochHooks(self, snapshot, task_name)

    def end(self):
        """Call ``on_fit_task_end`` once the estimator has committed its fitted state."""
        if self._ctx is not None:
            self._ctx.call_on_fit_task_end(
                estimator=self.estimator,
                X=self.X,
                y=self.y,
                metadata=self.metadata,
                reconstruction_attributes={},  # the estimator itself is fitted now
            )


class EpochHooks:
    """``on_fit_task_begin``/``on_fit_task_end`` of every epoch, one subtask each.

    Built by :meth:`FitTask.epoch_hooks`; the epoch loop calls :meth:`begin`
    before an epoch and :meth:`end` after it, and :meth:`abandon` when an
    epoch that began does not complete (divergence, interrupt).
    """

    def __init__(self, task, snapshot, task_name):
        self._task = task
        self._snapshot = snapshot
        self._task_name = task_name
        self._ctx = None

    def begin(self, params):
        """Open the next epoch's subtask; ``params`` are the weights it starts from."""
        task = self._task
        self._ctx = task._ctx.subcontext(task_name=self._task_name)
        self._ctx.call_on_fit_task_begin(
            estimator=task.estimator,
            X=task.X,
            y=task.y,
            metadata=task.metadata,
            reconstruction_attributes=lambda: self._snapshot(params),
        )

    def end(self, params):
        """Close the epoch's subtask; True when a callback asks to stop training.

        ``params`` are the weights after the epoch; a ``fitted_estimator``
        is built from a copy of them, so later epochs cannot change it.
        """
        task, ctx, self._ctx = self._task, self._ctx, None
        return ctx.call_on_fit_task_end(
            estimator=task.estimator,
            X=task.X,
            y=task.y,
            metadata=task.metadata,
            reconstruction_attributes=lambda: self._snapshot(params),
        )

    def abandon(self):
        """End an epoch that began but did not complete, as an empty task."""
        if self._ctx is not None:
            ctx, self._ctx = self._ctx, None
            ctx.call_on_fit_task_end(estimator=self._task.estimator)

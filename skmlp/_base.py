"""What the layered MLP estimators share: parameters, the transactional fit, fitted attributes."""

import copy
import warnings
from dataclasses import dataclass, replace
from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state

from skmlp._callbacks import CallbackSupportMixin, FitTask
from skmlp._data import Rows, training_rows
from skmlp._lbfgs import fit_lbfgs
from skmlp._network import Network, resolve_stack, set_output_width
from skmlp._optimizers import SGD, Adam, make_schedule
from skmlp._training import EarlyStopping, History, TrainingConfig, train
from skmlp._validation import (
    Interval,
    Options,
    StrOptions,
    check_is_fitted,
    validate_fit_data,
    validate_predict_data,
)
from skmlp.layers import ExpOutput, IdentityOutput, LogisticOutput, SoftmaxOutput

#: Why minibatch training cannot pass scikit-learn's sample-weight
#: equivalence checks: a repeated row lands in other minibatches (and in or
#: out of the early-stopping hold-out) than one row of twice the weight.
_SAMPLE_WEIGHT_XFAIL = (
    "sample_weight is not equivalent to removing/repeating samples under "
    "minibatch SGD: a repeated row falls into other minibatches, shuffles and "
    "hold-outs than one row of double weight. Full-batch training without "
    "shuffling or early stopping passes."
)


#: Why minibatch training cannot pass scikit-learn's class-weight check.
_CLASS_WEIGHT_XFAIL = (
    "each minibatch's loss is the weighted mean over its rows, as in scikit-learn's "
    "MLP: a minibatch without rows of the heavily weighted class trains the others at "
    "full strength, so the check's weights of 1000 and 1e-4 cannot make the model "
    "predict one class. Batches of the whole training set pass."
)


def expected_failed_checks(estimator):
    """scikit-learn estimator checks that ``estimator`` is expected to fail, with the reason.

    Pass the result to :func:`sklearn.utils.estimator_checks.check_estimator`
    or ``parametrize_with_checks`` as ``expected_failed_checks``, as
    scikit-learn does for its own SGD-based estimators.

    Parameters
    ----------
    estimator : MLPLayerClassifier or MLPLayerRegressor
        An unfitted estimator with the configuration to check.

    Returns
    -------
    checks : dict of str to str
        Check names and why each fails; empty for ``solver="lbfgs"`` and for
        a configuration that trains the checks' 200 rows as one batch
        without early stopping (``batch_size="auto"`` or at least 200,
        ``early_stopping=False``: the defaults), where weights and repeated
        rows give the same model. Minibatches also fail the classifier's
        class-weight check: each minibatch's loss is a weighted mean over
        its own rows.

    Examples
    --------
    >>> from skmlp import MLPLayerClassifier, expected_failed_checks
    >>> for name in sorted(expected_failed_checks(MLPLayerClassifier(batch_size=25))):
    ...     print(name)
    check_class_weight_classifiers
    check_sample_weight_equivalence_on_dense_data
    check_sample_weight_equivalence_on_sparse_data
    >>> expected_failed_checks(MLPLayerClassifier())
    {}
    >>> expected_failed_checks(MLPLayerClassifier(solver="lbfgs"))
    {}
    """
    if estimator.solver == "lbfgs":
        return {}  # deterministic full-batch training: weights are repeated rows
    # the checks fit at most 200 rows: one minibatch, whose order cannot matter
    full_batch = estimator.batch_size == "auto" or estimator.batch_size >= 200
    checks = {}
    if not (full_batch and not estimator.early_stopping):
        checks["check_sample_weight_equivalence_on_dense_data"] = _SAMPLE_WEIGHT_XFAIL
        checks["check_sample_weight_equivalence_on_sparse_data"] = _SAMPLE_WEIGHT_XFAIL
    if not full_batch and "class_weight" in estimator.get_params():
        checks["check_class_weight_classifiers"] = _CLASS_WEIGHT_XFAIL
    return checks


#: What scikit-learn's callback API keeps on an estimator: how it is trained,
#: not what it predicts with. A fitted estimator's pickle leaves them out.
_CALLBACK_STATE = (
    "_skl_callbacks",
    "_skl_callbacks_to_teardown",
    "_callback_fit_ctx",
    "_parent_callback_ctx",
)


class _ValidationScore:
    """The ``scoring`` of the validation rows for the weights the network has now.

    A local of one fit, never kept on the estimator: it holds the validation
    rows. ``estimator`` predicts with the live network of the fit, so every
    call scores the current epoch's weights.
    """

    def __init__(self, scorer, name, estimator, X, y, sample_weight):
        self.scorer, self.name, self.estimator = scorer, name, estimator
        self.X, self.y, self.sample_weight = X, y, sample_weight

    def __call__(self):
        if self.sample_weight is None:
            return self.scorer(self.estimator, self.X, self.y)
        return self.scorer(self.estimator, self.X, self.y, sample_weight=self.sample_weight)


def _scorer_name(scoring):
    """How the stop line names ``scoring``."""
    if scoring is None:
        return "score"
    if isinstance(scoring, str):
        return scoring
    return getattr(scoring, "__name__", None) or repr(scoring)


def _best_of(records, by_score):
    """The best record: highest ``val_score`` (``by_score``), else lowest validation loss."""
    if by_score:
        scores = [record.get("val_score", np.nan) for record in records]
        if not all(np.isnan(scores)):
            return records[int(np.nanargmax(scores))]
    losses = [record["val_loss"] for record in records]
    if all(np.isnan(losses)):
        losses = [record["train_loss"] for record in records]
    return records[int(np.nanargmin(losses))]


def _make_rng(random_state):
    """A RandomState for one fit; None draws fresh OS entropy, never NumPy's global state."""
    if random_state is None:
        return np.random.RandomState(np.random.SeedSequence().generate_state(1)[0])
    return check_random_state(random_state)


@dataclass
class _Model:
    """Everything a fit trains and keeps; the estimator holds one, replaced whole."""

    network: Network
    targets: object
    optimizer: object
    schedule: object
    history: History
    stopper: EarlyStopping
    signature: tuple
    settings: dict
    dtype: np.dtype

    def copy(self):
        """An independent copy for a warm or incremental fit to train."""
        return replace(
            self,
            network=copy.deepcopy(self.network),
            optimizer=copy.deepcopy(self.optimizer),
            schedule=copy.deepcopy(self.schedule),
            history=self.history.copy(),
            stopper=copy.deepcopy(self.stopper),
        )


_OPTIMIZER_SETTINGS = (
    "solver",
    "learning_rate",
    "learning_rate_init",
    "power_t",
    "momentum",
    "nesterovs_momentum",
    "beta_1",
    "beta_2",
    "epsilon",
)


def _make_optimizer(settings, n_params, dtype, previous=None):
    """The optimizer and schedule of ``settings``, keeping ``previous``'s state where it applies.

    None and None for L-BFGS, which keeps no state between fits.
    """
    if settings["solver"] == "lbfgs":
        return None, None
    lr = settings["learning_rate_init"]
    if settings["solver"] == "adam":
        optimizer = Adam(
            n_params, dtype, lr, settings["beta_1"], settings["beta_2"], settings["epsilon"]
        )
        if isinstance(previous, Adam):
            optimizer.t, optimizer._m, optimizer._v = previous.t, previous._m, previous._v
        return optimizer, make_schedule("constant", lr)
    optimizer = SGD(n_params, dtype, lr, settings["momentum"], settings["nesterovs_momentum"])
    keep_velocity = isinstance(previous, SGD) and previous._velocity is not None
    if keep_velocity and optimizer._velocity is not None:
        optimizer._velocity = previous._velocity
    return optimizer, make_schedule(settings["learning_rate"], lr, settings["power_t"])


def _patience(estimator):
    """Epochs without improvement that make a plateau: scikit-learn stops on *more* than
    ``n_iter_no_change`` of them (its ``_no_improvement_count > n_iter_no_change``)."""
    return estimator.n_iter_no_change + 1


def _reweight(sample_weight, class_weights, y_enc):
    """Row weights times their class's weight (``class_weights`` indexed by class index)."""
    if class_weights is None:
        return sample_weight
    row_weights = class_weights[y_enc]
    return row_weights if sample_weight is None else sample_weight * row_weights


def _unpack_validation_data(validation_data):
    """``(X_val, y_val, sample_weight_val)`` of the deprecated ``validation_data`` tuple."""
    if not isinstance(validation_data, tuple | list) or len(validation_data) not in (2, 3):
        raise ValueError(
            "validation_data must be a tuple (X_val, y_val) or (X_val, y_val, "
            f"sample_weight_val); got {type(validation_data).__name__}."
        )
    warnings.warn(
        "validation_data is deprecated in skmlp 0.2 and will be removed in 0.3; pass "
        "X_val=..., y_val=... (and sample_weight_val=...) instead.",
        FutureWarning,
        stacklevel=4,
    )
    return (*validation_data, None)[:3]


def _resolve_batch_size(batch_size, n_train):
    if batch_size == "auto":
        return min(200, n_train)
    if batch_size > n_train:
        warnings.warn(
            f"Got batch_size={batch_size}, larger than the {n_train} training samples; "
            "it is clipped to the sample size.",
            UserWarning,
            stacklevel=4,
        )
        return n_train
    return batch_size


_OUT_ACTIVATIONS = {
    SoftmaxOutput: "softmax",
    LogisticOutput: "logistic",
    IdentityOutput: "identity",
    ExpOutput: "exp",
}


class BaseMLPLayer(CallbackSupportMixin, BaseEstimator):
    """What the layered MLP estimators share: parameters, the transactional fit, attributes.

    Subclasses say what their targets are (:meth:`_target_kind`,
    :meth:`_default_output`, :meth:`_make_targets`) and hold no arithmetic.
    """

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "layers": [list, None],
        "solver": [StrOptions({"sgd", "adam", "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "weight_init": [StrOptions({"glorot", "normal"})],
        # as HistGradientBoosting's: "loss", a scorer name (checked by
        # check_scoring before training), a callable or None
        "scoring": [str, callable, None],
    }

    # -- what a subclass provides -------------------------------------------------

    def _target_kind(self, y, classes, previous, *, one_epoch):
        """The kind of ``y`` (``"binary"``, ``"multiclass"``, ...) and its labels or None."""
        raise NotImplementedError

    def _default_output(self, kind):
        """The output layer of the stack built from ``hidden_layer_sizes``."""
        raise NotImplementedError

    def _make_targets(self, kind, labels, output, y):
        """The :mod:`skmlp._targets` object for ``kind`` under ``output``."""
        raise NotImplementedError

    def _target_attributes(self, targets):
        """The fitted attributes that describe the targets (``classes_``), by name."""
        return {}

    def _class_weights(self, targets, y, *, one_epoch):
        """Weight of every class index from ``class_weight``, or None (no class weights)."""
        return None

    # -- fitting ------------------------------------------------------------------

    def _check_solver(self):
        if self.solver == "lbfgs":
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers; lbfgs is not "
                "stochastic. Use solver='sgd' or 'adam'."
            )
        return True

    def _fit(
        self,
        X,
        y,
        sample_weight,
        *,
        warm,
        one_epoch,
        classes=None,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
        validation_data=None,
    ):
        # Everything is validated and trained in locals; ``self`` is written
        # once, by _commit, after training succeeded.
        if validation_data is not None:
            if X_val is not None or y_val is not None or sample_weight_val is not None:
                raise ValueError(
                    "Pass either X_val, y_val and sample_weight_val or the deprecated "
                    "validation_data, not both."
                )
            X_val, y_val, sample_weight_val = _unpack_validation_data(validation_data)
        scorer = None if self.scoring == "loss" else check_scoring(self, self.scoring)
        X_given, y_given = X, y  # what the callbacks see
        previous = self._model if warm else None
        X, y, sample_weight, seen = validate_fit_data(
            self, X, y, sample_weight, reset=previous is None, classifier=is_classifier(self)
        )
        kind, labels = self._target_kind(y, classes, previous, one_epoch=one_epoch)
        if previous is not None and X.dtype != previous.dtype:
            X = X.astype(previous.dtype)
        dtype = X.dtype
        stack = resolve_stack(
            self.layers,
            hidden_layer_sizes=self.hidden_layer_sizes,
            activation=self.activation,
            weight_init=self.weight_init,
            output=self._default_output(kind),
            n_outputs=None,
        )
        if previous is None:
            targets = self._make_targets(kind, labels, stack[-1], y)
        else:
            targets = previous.targets
        set_output_width(stack, targets.width)
        y_enc = targets.encode(y, dtype)
        user_weight = sample_weight
        class_weights = self._class_weights(targets, y, one_epoch=one_epoch)
        sample_weight = _reweight(sample_weight, class_weights, y_enc)
        validation, y_val = self._validation_rows(
            X_val, y_val, sample_weight_val, targets, dtype, seen, class_weights
        )
        signature = (X.shape[1], *(repr(layer) for layer in stack))
        settings = {name: getattr(self, name) for name in _OPTIMIZER_SETTINGS}
        rng = _make_rng(self.random_state)
        if previous is None:
            model = self._new_model(stack, X.shape[1], dtype, rng, signature, settings, targets)
        else:
            model = self._continued_model(previous, signature, settings, fresh_fit=not one_epoch)
        lbfgs = self.solver == "lbfgs"
        early_stopping = self.early_stopping and not one_epoch and not lbfgs
        train_rows, holdout = training_rows(
            X,
            y_enc,
            sample_weight,
            validation_fraction=(
                self.validation_fraction if early_stopping and validation is None else None
            ),
            rng=rng,
            stratify=targets.stratify,
        )
        if not one_epoch:  # each fit stops on its own; partial_fit calls share one record
            model.stopper = EarlyStopping(_patience(self), self.tol, early_stopping)
        watched = holdout if holdout is not None else validation
        monitor = None
        if scorer is not None:
            model.history.add_column("val_score")
            if watched is not None:
                labels = y if holdout is not None else y_val
                monitor = self._validation_score(scorer, model, seen, watched, labels)
        epoch_offset = len(model.history.records)
        t_offset = self.t_ if previous is not None else 0
        task = FitTask(
            self,
            X_given,
            y_given,
            user_weight,
            task_name="partial_fit" if one_epoch else "fit",
            max_subtasks=0 if one_epoch else self.max_iter,
        )
        hooks = None  # a partial_fit call is one task: its epoch has no subtask
        if not one_epoch:
            hooks = task.epoch_hooks(
                partial(self._snapshot, model, seen), task_name="iteration" if lbfgs else "epoch"
            )
        if lbfgs:
            result = fit_lbfgs(
                model.network,
                train_rows,
                targets=targets,
                alpha=self.alpha,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                verbose=bool(self.verbose),
                history=model.history,
                stopper=model.stopper,
                epoch_offset=epoch_offset,
                t_offset=t_offset,
                validation=validation,
                epoch_hooks=hooks,
                monitor=monitor,
            )
        else:
            config = TrainingConfig(
                batch_size=_resolve_batch_size(self.batch_size, len(train_rows)),
                max_iter=1 if one_epoch else self.max_iter,
                shuffle=self.shuffle,
                early_stopping=early_stopping,
                n_iter_no_change=_patience(self),
                tol=self.tol,
                alpha=self.alpha,
                verbose=bool(self.verbose),
            )
            result = train(
                model.network,
                model.optimizer,
                model.schedule,
                train_rows,
                config=config,
                rng=rng,
                history=model.history,
                stopper=model.stopper,
                targets=targets,
                validation=watched,
                epoch_offset=epoch_offset,
                t_offset=t_offset,
                epoch_hooks=hooks,
                monitor=monitor,
            )
        model.network.clear()
        self._commit(
            model,
            result,
            seen,
            incremental=one_epoch,
            first_record=epoch_offset,
            scored=monitor is not None,
        )
        if self.verbose and not one_epoch:
            print(result.stop_reason)
        if (
            not lbfgs
            and not one_epoch
            and not result.converged
            and result.diverged_epoch is None
            and not result.interrupted
            and not result.stopped_by_callback
        ):
            warnings.warn(
                f"Stochastic optimizer: maximum iterations ({self.max_iter}) reached "
                "and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=3,
            )
        task.end()
        return self

    def _validation_rows(self, X_val, y_val, sw_val, targets, dtype, seen, class_weights):
        """The validation rows of ``X_val``, checked like ``X``, and their checked labels.

        ``(None, None)`` without them.
        """
        if X_val is None and y_val is None and sw_val is None:
            return None, None
        if X_val is None or y_val is None:
            raise ValueError(
                "X_val and y_val must be passed together (sample_weight_val only with "
                f"them); got X_val={type(X_val).__name__}, y_val={type(y_val).__name__}."
            )
        # checked against the features of X: its width, its names
        reference = self
        if seen is not None:
            reference = copy.copy(self)
            seen.commit_to(reference)
        try:
            X_val, y_val, sw_val, _ = validate_fit_data(
                reference, X_val, y_val, sw_val, reset=False, classifier=is_classifier(self)
            )
        except ValueError as error:
            raise ValueError(f"Invalid X_val, y_val or sample_weight_val: {error}") from error
        y_enc = targets.encode(y_val, dtype, name="y_val")
        sw_val = _reweight(sw_val, class_weights, y_enc)
        X_val = X_val.astype(dtype, copy=False)
        return Rows(X_val, y_enc, sw_val, np.arange(X_val.shape[0])), y_val

    def _validation_score(self, scorer, model, seen, rows, labels):
        """The ``scoring`` of ``rows`` (whose labels are ``labels[rows.index]``), per epoch.

        The scorer gets an estimator that predicts with the network being
        trained, the validation rows as checked arrays (no feature names)
        and their weights.
        """
        view = copy.copy(self)
        for name, value in self._fitted_view(model, model.network, seen).items():
            setattr(view, name, value)
        view.__dict__.pop("feature_names_in_", None)  # scored on checked arrays
        X, _, weights = rows.materialize()
        name = _scorer_name(self.scoring)
        return _ValidationScore(scorer, name, view, X, labels[rows.index], weights)

    def _fitted_view(self, model, network, seen):
        """The attributes that make a copy of the estimator predict with ``network``."""
        features = self if seen is None else seen
        attributes = {
            "_model": replace(model, network=network),
            "n_features_in_": features.n_features_in_,
            "n_outputs_": network.n_out,
            "layers_": network.layers,
            **self._target_attributes(model.targets),
        }
        names = getattr(features, "feature_names_in_", None)
        if names is not None or hasattr(self, "feature_names_in_"):
            attributes["feature_names_in_"] = names  # None hides a previous fit's names
        return attributes

    def _snapshot(self, model, seen, params):
        """Fitted attributes of a model with a copy of the flat ``params``, for the callbacks.

        The copy is independent of the model being trained: what a callback
        scores or keeps is the model of that epoch.
        """
        network = copy.deepcopy(model.network)
        network.clear()
        network.flat_params[...] = params
        attributes = self._fitted_view(model, network, seen)
        attributes["_model"] = replace(attributes["_model"], history=model.history.copy())
        return attributes

    def _new_model(self, stack, n_features, dtype, rng, signature, settings, targets):
        network = Network(stack).build(n_features, rng, dtype)
        if network.n_out != targets.width:
            raise ValueError(
                f"The layer stack has {network.n_out} outputs but the targets need "
                f"{targets.width}; give the last Linear layer n_out=None."
            )
        optimizer, schedule = _make_optimizer(settings, network.flat_params.size, dtype)
        stopper = EarlyStopping(_patience(self), self.tol, False)
        history = History(targets.score_name)
        return _Model(
            network, targets, optimizer, schedule, history, stopper, signature, settings, dtype
        )

    def _continued_model(self, previous, signature, settings, *, fresh_fit):
        if signature != previous.signature:
            raise ValueError(
                "warm_start=True (or partial_fit) cannot change the network: it was "
                f"fitted as {list(previous.signature[1:])} on {previous.signature[0]} "
                f"features, the parameters now give {list(signature[1:])} on "
                f"{signature[0]}. Set warm_start=False to fit a new model."
            )
        model = previous.copy()
        if fresh_fit or settings != previous.settings:
            # New settings take effect, the optimizer's state (velocity,
            # moments) is kept; a fit starts its learning-rate schedule anew.
            model.optimizer, model.schedule = _make_optimizer(
                settings, model.network.flat_params.size, model.dtype, model.optimizer
            )
            model.settings = settings
        return model

    def _commit(self, model, result, seen, *, incremental, first_record=0, scored=False):
        """Write every fitted attribute, from the training result and the model.

        ``scored``: this call recorded the ``scoring`` of validation rows
        (``val_score``), which then decides the best epoch.
        """
        history = model.history
        if seen is not None:
            seen.commit_to(self)
        for name, value in self._target_attributes(model.targets).items():
            setattr(self, name, value)
        self._model = model
        self.n_outputs_ = model.network.n_out
        self.layers_ = model.network.layers
        self.n_iter_ = result.n_epochs
        self.t_ = result.t
        self.loss_curve_ = history.column("train_loss")
        self.loss_ = self.loss_curve_[-1]
        self.batch_loss_curve_ = list(history.batch_losses)
        val = history.column("val_loss")
        validated = not all(np.isnan(val))
        if incremental:  # nothing is restored: the best of every call so far
            best_record = _best_of(history.records, scored)
        else:  # this fit's stopper: the epoch whose weights were kept
            best_record = model.stopper.best_record
            fit_records = history.records[first_record:]
            fit_val = [record["val_loss"] for record in fit_records]
            if not model.stopper.keep_best and not all(np.isnan(fit_val)):
                # X_val recorded without early stopping: this fit's best validation epoch
                best_record = _best_of(fit_records, scored)
        self.best_epoch_ = best_record["epoch"]
        if validated:
            score_name = "val_score" if scored else history.score_name
            self.validation_loss_curve_ = val
            self.validation_scores_ = history.column(score_name)
            self.best_validation_loss_ = best_record["val_loss"]
            self.best_validation_score_ = best_record.get(score_name, np.nan)
            self.best_loss_ = None
        else:
            self.validation_loss_curve_ = None
            self.validation_scores_ = None
            self.best_validation_loss_ = None
            self.best_validation_score_ = None
            self.best_loss_ = best_record["train_loss"]
        self.n_layers_ = len(self.coefs_) + 1
        output = model.network.layers[-1]
        self.out_activation_ = _OUT_ACTIVATIONS.get(type(output), type(output).__name__)

    # -- fitted attributes ----------------------------------------------------------

    @property
    def history_(self):
        """Per-epoch records as a :class:`pandas.DataFrame`, built on access.

        Building it at the end of every fit would import pandas (and, with
        pandas 3, PyArrow for the column names) inside fit: megabytes of
        memory and milliseconds of time that most fits never use.
        """
        check_is_fitted(self, "n_outputs_")
        return self._model.history.to_frame()

    @property
    def coefs_(self):
        """Weight matrices of the linear layers, shape ``(n_in, n_out)`` each."""
        check_is_fitted(self, "n_outputs_")
        return [
            layer.params["coef"] for layer in self._model.network.layers if "coef" in layer.params
        ]

    @property
    def intercepts_(self):
        """Bias vectors of the linear layers, shape ``(n_out,)`` each."""
        check_is_fitted(self, "n_outputs_")
        return [
            layer.params["intercept"]
            for layer in self._model.network.layers
            if "intercept" in layer.params
        ]

    def _predict_output(self, X):
        """The output layer's prediction for validated ``X``."""
        X = validate_predict_data(self, X)
        return self._model.network.predict(X)

    def __getstate__(self):
        """The state to pickle, copy or dump with skops.

        A fitted estimator's state leaves out the callbacks of
        ``set_callbacks`` and the callback API's bookkeeping: they say how
        to train, not how to predict, and a progress bar or a monitor's
        logs have no place in a model file. An unfitted estimator keeps
        them, so that the clones a meta-estimator sends to joblib's workers
        run them.
        """
        state = super().__getstate__()
        if "_model" in state:
            state = {key: value for key, value in state.items() if key not in _CALLBACK_STATE}
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


#: The parameters both estimators document, in their order (numpydoc).
PARAMETERS_DOC = """\
    hidden_layer_sizes : array-like of shape (n_hidden_layers,), default=(100,)
        Width of each hidden layer. Ignored when ``layers`` is given.

    activation : {{"identity", "logistic", "tanh", "relu"}}, default="relu"
        Activation of the hidden layers. Ignored when ``layers`` is given.

    layers : list of Layer, default=None
        A custom stack that replaces ``hidden_layer_sizes`` and
        ``activation``{layers_output}: any :class:`~skmlp.layers.Layer`
        objects, ending with an output layer after a
        :class:`~skmlp.layers.Linear` whose ``n_out`` is None (as many
        outputs as the targets need) or that number. The stack's output layer
        owns the loss and the prediction. The list is deep-copied at fit time;
        the objects passed here are never modified. Each Linear brings its
        own initialisation: ``Linear(n)`` uses the Glorot bound with gain 1,
        while the stack built from ``hidden_layer_sizes`` uses gain
        ``sqrt(1/3)`` before logistic units (scikit-learn's choice).

    solver : {{"adam", "sgd", "lbfgs"}}, default="adam"
        Adam, minibatch gradient descent (with optional momentum), or
        full-batch L-BFGS (``scipy.optimize.minimize``, method "L-BFGS-B",
        with the analytic gradient), often the best on small data.

    alpha : float, default=1e-4
        Strength of the L2 penalty on the weights (not the intercepts),
        divided by the total sample weight of the batch, as in scikit-learn.

    batch_size : int or "auto", default="auto"
        Rows per minibatch; ``"auto"`` means ``min(200, n_samples)``. Larger
        than the training set, it is clipped with a warning. Not used by
        lbfgs.

    learning_rate : {{"constant", "invscaling", "adaptive"}}, default="constant"
        Learning-rate schedule, used by ``solver="sgd"`` only.
        ``"invscaling"`` sets the rate to ``learning_rate_init / t**power_t``
        after each epoch (``t`` samples seen). ``"adaptive"`` divides it by 5
        whenever more than ``n_iter_no_change`` epochs bring no improvement, instead of
        stopping, until it falls below 1e-6.

    learning_rate_init : float, default=1e-3
        Initial learning rate of sgd and adam.

    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.

    max_iter : int, default=200
        Maximum number of epochs (passes over the training rows) per call to
        ``fit``; for lbfgs, of L-BFGS iterations.

    shuffle : bool, default=True
        Reshuffle the training rows before every epoch (sgd and adam).

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split and the shuffling.
        An int makes ``fit`` reproducible bit for bit; NumPy's global random
        state is never used.

    tol : float, default=1e-4
        Improvement of the monitored loss (validation loss with early
        stopping, training loss without), or of the validation score with
        ``scoring``, that counts as progress; for lbfgs, the tolerance on the
        projected gradient.

    verbose : bool, default=False
        Print one line per epoch (per iteration for lbfgs), and at the end
        of ``fit`` one line saying why training stopped: a plateau of the
        watched value (with ``tol`` and the epochs without improvement),
        ``max_iter``, a callback, divergence or an interrupt, and which
        epoch's weights were restored; L-BFGS's own reason for lbfgs.

    warm_start : bool, default=False
        Continue from the previous fit's weights and optimizer state instead of
        starting afresh. Changed optimizer settings (``learning_rate_init``,
        ``momentum``, ``solver``, ...) take effect, with the optimizer's
        state kept where it applies; a changed network
        (``hidden_layer_sizes``, ``activation``, ``layers``, number of
        features){warm_targets} is a ``ValueError``.
        ``t_``, the loss curves and ``history_`` keep counting; ``n_iter_``
        counts the epochs of the latest fit.

    momentum : float, default=0.9
        Momentum of ``solver="sgd"``, in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum (with ``solver="sgd"`` and ``momentum > 0``).

    early_stopping : bool, default=False
        Hold out {holdout} of the training rows (none with ``X_val``), stop
        when their {loss} has not improved by ``tol`` for more than
        ``n_iter_no_change`` epochs, and restore the weights of the epoch
        with the lowest validation loss (sgd and adam; ignored by lbfgs);
        ``scoring`` watches a score instead. scikit-learn's {peer} monitors
        the {peer_score} and restores the epoch with the best one
        (``scoring=None`` here); monitoring the validation *loss* by default
        is the one difference in meaning between the two estimators'
        parameters.

    validation_fraction : float, default=0.1
        Share of the training rows held out for early stopping.

    beta_1 : float, default=0.9
        Decay of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay of Adam's second-moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int or np.inf, default=10
        Training stops (or the ``"adaptive"`` rate is lowered) once more than
        ``n_iter_no_change`` consecutive epochs brought no improvement of at
        least ``tol``, scikit-learn's rule; ``np.inf`` never stops early.

    max_fun : int, default=15000
        Maximum number of loss evaluations of lbfgs (a ``ConvergenceWarning``
        when it is reached).

    weight_init : {{"glorot", "normal"}}, default="glorot"
        Initial weights of the linear layers. ``"glorot"``: uniform in
        ``±sqrt(6 / (fan_in + fan_out))`` (``sqrt(2 / ...)`` before logistic
        units), as scikit-learn does. ``"normal"``: the tutorial's
        ``randn * 0.1`` with zero intercepts. Ignored when ``layers`` is
        given (each Linear carries its own ``init``).

    scoring : str, callable or None, default="loss"
        What early stopping watches on the validation rows (the hold-out,
        or ``X_val``), as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`:
        ``"loss"`` their {loss}; otherwise a scikit-learn scoring, by name
        ({scoring_names}, ...) or as a callable ``scorer(estimator, X, y)``
        such as :func:`~sklearn.metrics.make_scorer` returns, or None for
        the estimator's ``score`` ({peer_score}). It scores the model of
        every epoch on the validation rows, with their weights; higher is
        better: training stops when it has not improved by ``tol`` for more
        than ``n_iter_no_change`` epochs and the epoch with the highest
        score is restored. Its values are the column ``val_score`` of
        ``history_`` and ``validation_scores_``. Without early stopping it
        is only recorded (for ``X_val``); without validation rows it is not
        used. An unknown name is a ``ValueError`` before training starts."""

#: The fitted attributes both estimators document.
ATTRIBUTES_DOC = """\
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names seen during fit, when ``X`` has string column names.
    layers_ : list of Layer
        The fitted layer stack (built from ``layers`` or the hidden sizes).
    coefs_ : list of ndarray
        Weight matrix of each linear layer, shape ``(n_in, n_out)``; the live
        arrays the network computes with.
    intercepts_ : list of ndarray
        Bias vector of each linear layer, shape ``(n_out,)``.
    n_iter_ : int
        Epochs run by the latest call to ``fit`` (1 after ``partial_fit``;
        L-BFGS iterations for lbfgs), as in scikit-learn; ``t_``,
        ``loss_curve_`` and ``history_`` keep counting across
        ``warm_start`` fits and ``partial_fit`` calls.
    t_ : int
        Training samples seen by the stochastic optimizer (rows times
        epochs; lbfgs adds none, as in scikit-learn).
    loss_ : float
        Training loss of the last epoch (mean of its minibatch losses,
        penalty included), or the final loss of lbfgs.
    loss_curve_ : list of float
        Training loss of every epoch (of every L-BFGS iteration).
    best_loss_ : float or None
        Lowest training loss; None when a validation loss is recorded.
    validation_loss_curve_ : list of float or None
        Validation loss of every epoch (the early-stopping hold-out in
        ``fit``, ``validation_data`` in ``partial_fit``; NaN for epochs
        without either); None when no epoch was validated.
    best_validation_loss_ : float or None
        Validation loss of ``best_epoch_``: the lowest one, unless
        ``scoring`` chose the epoch. ``fit`` with early stopping kept its
        weights; ``partial_fit`` never restores weights.
    validation_scores_ : list of float or None
        Validation {score} of every epoch (the ``scoring``'s value when it
        is not ``"loss"``), NaN and None as ``validation_loss_curve_``.
    best_validation_score_ : float or None
        The same score at ``best_epoch_``.
    best_epoch_ : int
        Epoch (numbered across warm starts) of the latest fit's best
        validation epoch (lowest loss, or highest ``scoring``), whose
        weights early stopping kept, or, without validation, of its lowest
        training loss; after ``partial_fit``, the best over all calls.
    n_layers_ : int
        Number of layers in scikit-learn's sense: linear layers plus one.
    n_outputs_ : int
        Number of outputs: {n_outputs}
    out_activation_ : str
        The output layer's function: {out_activation}
    history_ : pandas.DataFrame
        One row per epoch: ``epoch``, ``train_loss``, ``val_loss``,
        ``{score_column}``, ``learning_rate``, ``seconds``, and ``val_score``
        (before ``learning_rate``) once a fit had a ``scoring`` other than
        ``"loss"``; built when read.
    batch_loss_curve_ : list of ndarray
        The loss of every minibatch, one array per epoch."""

#: The notes both estimators share.
NOTES_DOC = """\
    Every row is one sample: the early-stopping hold-out is a
    {split} ``validation_fraction`` of the samples, an epoch is
    ``ceil(n_train / batch_size)`` minibatches, and ``sample_weight``
    weights each row's share of the loss. Under minibatch training an
    integer weight is therefore not the same as repeating a row (the copies
    land in other minibatches); with lbfgs, or full-batch training
    (``batch_size`` at least the number of samples) with ``shuffle=False``
    and ``early_stopping=False``, it is, up to rounding. scikit-learn's two
    sample-weight equivalence checks are expected failures for minibatch
    configurations; :func:`skmlp.expected_failed_checks` lists them.

    A fit commits or changes nothing: a fit or ``partial_fit`` that raises
    leaves the estimator exactly as it was (unfitted, or predicting with the
    previous model). Training that diverges (non-finite loss or weights)
    restores the best epoch's weights with a :class:`ConvergenceWarning`
    under early stopping, and raises ``ValueError`` without it.
    ``KeyboardInterrupt`` stops training with a warning and keeps the model
    of the last completed epoch (the best one under early stopping)."""

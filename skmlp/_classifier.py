"""MLPLayerClassifier: validate, encode labels, build the layer stack, delegate."""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from skmlp._data import merge_duplicate_rows, row_keys
from skmlp._losses import log_softmax, softmax
from skmlp._network import Network, make_layers
from skmlp._optimizers import SGD, Adam, make_schedule
from skmlp._training import History, TrainingConfig, train
from skmlp._validation import (
    Interval,
    StrOptions,
    _fit_context,
    check_finite_rows,
    check_hidden_layer_sizes,
    check_is_fitted,
    check_layers,
    validate_fit_data,
    validate_predict_data,
)
from skmlp.layers import Linear


def _scatter(rows, values, n, dtype):
    """Per-row array of ``values`` at ``rows`` (zero elsewhere); None stays None."""
    if values is None:
        return None
    full = np.zeros(n, dtype=dtype)
    full[rows] = values
    return full


def _make_rng(random_state):
    """A RandomState for one fit; None draws fresh OS entropy, never NumPy's global state."""
    if random_state is None:
        return np.random.RandomState(np.random.SeedSequence().generate_state(1)[0])
    return check_random_state(random_state)


class MLPLayerClassifier(ClassifierMixin, BaseEstimator):
    """Multilayer perceptron classifier built from an explicit stack of layers.

    The network is a list of :mod:`skmlp.layers` objects (by default
    ``Linear, activation`` per hidden layer, then ``Linear, SoftmaxOutput``),
    trained by minibatch gradient descent on the log-loss. By default it
    follows the tutorial it comes from: plain SGD with learning rate 0.1 on
    minibatches of 25 rows, stopping early when the loss on a held-out quarter
    of the data stops falling, and keeping the best epoch's weights.

    Every parameter that :class:`sklearn.neural_network.MLPClassifier` also has
    keeps its name and meaning, so one can replace the other in a pipeline.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_hidden_layers,), default=(20, 20)
        Width of each hidden layer. Ignored when ``layers`` is given.

    activation : {"logistic", "tanh", "relu", "identity"}, default="logistic"
        Activation of the hidden layers. Ignored when ``layers`` is given.

    layers : list of Layer, default=None
        A custom stack that replaces ``hidden_layer_sizes`` and
        ``activation``: any :class:`~skmlp.layers.Layer` objects, ending with
        an output layer such as :class:`~skmlp.layers.SoftmaxOutput` after a
        :class:`~skmlp.layers.Linear` whose ``n_out`` is None (one output per
        class) or the number of classes. The list is deep-copied at fit time;
        the objects passed here are never modified. Each Linear brings its own
        initialisation: ``Linear(n)`` uses the Glorot bound with gain 1, while
        the stack built from ``hidden_layer_sizes`` uses gain ``sqrt(1/3)``
        before logistic units (scikit-learn's choice); write
        ``Linear(n, gain=np.sqrt(1 / 3))`` to start a logistic stack the same way.

    solver : {"sgd", "adam"}, default="sgd"
        Minibatch gradient descent (with optional momentum) or Adam.

    alpha : float, default=0.0
        Strength of the L2 penalty on the weights (not the intercepts). The
        penalty is divided by the total sample weight of the minibatch when
        added to its loss, as in scikit-learn.

    batch_size : int or "auto", default=25
        Rows per minibatch; ``"auto"`` means ``min(200, n_samples)``. Larger
        than the training set means full-batch gradient descent.

    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Learning-rate schedule, used by ``solver="sgd"`` only.
        ``"invscaling"`` sets the rate to ``learning_rate_init / t**power_t``
        after each epoch (``t`` samples seen). ``"adaptive"`` divides it by 5
        whenever ``n_iter_no_change`` epochs bring no improvement, instead of
        stopping, until it falls below 1e-6.

    learning_rate_init : float, default=0.1
        Initial learning rate (the tutorial's 0.1).

    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.

    max_iter : int, default=300
        Maximum number of epochs (passes over the training rows) per call to
        ``fit``.

    shuffle : bool, default=True
        Reshuffle the training rows before every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split and the shuffling.
        An int makes ``fit`` reproducible bit for bit; NumPy's global random
        state is never used.

    tol : float, default=0.0
        Improvement of the monitored loss (validation loss with early
        stopping, training loss without) that counts as progress.

    verbose : bool, default=False
        Print one line per epoch: losses, validation accuracy and seconds.

    warm_start : bool, default=False
        Continue from the previous fit's weights and optimizer state instead of
        starting afresh; ``n_iter_``, ``t_``, the loss curves and ``history_``
        keep counting.

    momentum : float, default=0.0
        Momentum of ``solver="sgd"``, in [0, 1].

    nesterovs_momentum : bool, default=False
        Use Nesterov's momentum (with ``solver="sgd"`` and ``momentum > 0``).

    early_stopping : bool, default=True
        Hold out a stratified ``validation_fraction`` of the training rows,
        stop when their log-loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, and restore the weights of the epoch with
        the lowest validation loss. Unlike scikit-learn's MLPClassifier, the
        validation *loss* is monitored, not the accuracy: on small networks the
        accuracy plateaus long before training is done.

    validation_fraction : float, default=0.25
        Share of the training rows held out for early stopping: 0.25 of the
        data given to ``fit`` is the tutorial's 60/20 train/validation split
        when a fifth of the data was kept aside for testing.

    beta_1 : float, default=0.9
        Decay of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay of Adam's second-moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int, default=7
        Number of epochs without an improvement of at least ``tol`` after which
        training stops (or the ``"adaptive"`` rate is lowered). The tutorial
        stops after 3; that stops on the initial plateau of small problems
        (in 5-fold cross-validation on the wine data, one seed in three ends
        near 40% accuracy), so the default waits 7 epochs: that never stopped
        on a plateau of iris, wine or breast_cancer in our runs, and on the
        digits it gave the best test accuracy of patience 5, 7 and 10. Set
        ``n_iter_no_change=3`` for the tutorial's behaviour.

    weight_init : {"glorot", "normal"}, default="glorot"
        Initial weights of the linear layers. ``"glorot"``: uniform in
        ``±sqrt(6 / (fan_in + fan_out))`` (``sqrt(2 / ...)`` before logistic
        units), as scikit-learn does. ``"normal"``: the tutorial's
        ``randn * 0.1`` with zero intercepts, which trains well on digits but
        often fails to leave the initial plateau on small data. Ignored when
        ``layers`` is given (each Linear carries its own ``init``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
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
        Epochs run, counted across ``warm_start`` fits and ``partial_fit`` calls.
    t_ : int
        Training samples seen by the optimizer (rows times epochs).
    loss_ : float
        Training loss of the last epoch (mean of its minibatch losses,
        penalty included).
    loss_curve_ : list of float
        Training loss of every epoch.
    best_loss_ : float or None
        Lowest training loss; None when a validation loss is recorded.
    validation_loss_curve_ : list of float or None
        Validation log-loss of every epoch (the early-stopping hold-out in
        ``fit``, ``validation_data`` in ``partial_fit``; NaN for epochs
        without either); None when no epoch was validated.
    best_validation_loss_ : float or None
        Lowest validation loss. ``fit`` with early stopping kept its
        weights; ``partial_fit`` never restores weights.
    validation_scores_ : list of float or None
        Validation accuracy of every epoch, NaN and None as
        ``validation_loss_curve_``.
    best_validation_score_ : float or None
        Validation accuracy at the epoch of ``best_validation_loss_``.
    best_epoch_ : int
        Epoch of the lowest validation loss (whose weights ``fit`` kept with
        early stopping) or, without validation, of the lowest training loss.
    n_layers_ : int
        Number of layers in scikit-learn's sense: linear layers plus one.
    n_outputs_ : int
        Number of outputs, one per class (binary problems use two softmax
        outputs).
    out_activation_ : str
        ``"softmax"``.
    history_ : pandas.DataFrame
        One row per epoch: ``epoch``, ``train_loss``, ``val_loss``,
        ``val_accuracy``, ``learning_rate``, ``seconds``; built when read.
    batch_loss_curve_ : list of ndarray
        The loss of every minibatch, one array per epoch.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's multilayer perceptron.
    skmlp.check_gradients : Check a layer stack's gradients numerically.

    Notes
    -----
    Rows that are identical in features and label are merged into one row
    whose weight is their total weight before training (rows of weight zero
    are dropped). An integer ``sample_weight`` therefore means exactly the
    same as repeating rows, and the result does not depend on the order of
    the rows unless ``shuffle=False``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skmlp import MLPLayerClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = MLPLayerClassifier(random_state=0).fit(X / 16, y)
    >>> clf.predict(X[:3] / 16).shape
    (3,)
    >>> [W.shape for W in clf.coefs_]
    [(64, 20), (20, 20), (20, 10)]
    """

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "layers": [list, None],
        "solver": [StrOptions({"sgd", "adam"})],
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
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "weight_init": [StrOptions({"glorot", "normal"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(20, 20),
        activation="logistic",
        *,
        layers=None,
        solver="sgd",
        alpha=0.0,
        batch_size=25,
        learning_rate="constant",
        learning_rate_init=0.1,
        power_t=0.5,
        max_iter=300,
        shuffle=True,
        random_state=None,
        tol=0.0,
        verbose=False,
        warm_start=False,
        momentum=0.0,
        nesterovs_momentum=False,
        early_stopping=True,
        validation_fraction=0.25,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=7,
        weight_init="glorot",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.layers = layers
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.weight_init = weight_init

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32, other types become float64.
        y : array-like of shape (n_samples,)
            Class labels (two or more distinct values).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows, in the loss and its gradient.

        Returns
        -------
        self : MLPLayerClassifier
            The fitted estimator.
        """
        incremental = self.warm_start and hasattr(self, "classes_")
        return self._fit(X, y, sample_weight, incremental=incremental, one_epoch=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None, *, validation_data=None):
        """Run one epoch over ``X`` and ``y``, starting from the current weights.

        ``early_stopping`` and ``validation_fraction`` apply to :meth:`fit`
        only: nothing is held out of a chunk and training never stops by
        itself. To monitor training, pass ``validation_data``: it is
        evaluated after the epoch and recorded in ``history_``
        (``val_loss``, ``val_accuracy``), ``validation_loss_curve_`` and
        ``validation_scores_``. Deciding when to stop, and keeping the best
        weights (for example a ``copy.deepcopy`` of the estimator when
        ``best_epoch_ == n_iter_``), is left to the caller.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,)
            Its labels, all in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class that can appear; required on the first call, ignored
            (but checked) afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows.
        validation_data : tuple, default=None
            ``(X_val, y_val)`` or ``(X_val, y_val, sample_weight_val)``,
            evaluated after the epoch. Its labels must be in ``classes_``.

        Returns
        -------
        self : MLPLayerClassifier
            The updated estimator.
        """
        first = not hasattr(self, "classes_")
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if not (first or classes is None or np.array_equal(self.classes_, np.unique(classes))):
            raise ValueError(
                f"classes={classes!r} differs from the classes of the first "
                f"partial_fit call, {self.classes_!r}."
            )
        return self._fit(
            X,
            y,
            sample_weight,
            incremental=not first,
            one_epoch=True,
            classes=classes,
            validation_data=validation_data,
        )

    def _fit(
        self, X, y, sample_weight, *, incremental, one_epoch, classes=None, validation_data=None
    ):
        X, y, sample_weight = validate_fit_data(self, X, y, sample_weight, reset=not incremental)
        if incremental or classes is not None:
            y_idx = self._encode_known_labels(y, classes)
        else:
            y_idx = self._encode_labels(y)
        y_idx = y_idx.astype(np.int32)  # class indices, held while training
        dtype = X.dtype
        rng = _make_rng(self.random_state)
        if incremental and dtype != self._network.flat_params.dtype:
            X = X.astype(self._network.flat_params.dtype)
            dtype = X.dtype
        keys = row_keys(X)  # the one pass over X: finiteness check and row hash
        check_finite_rows(self, X, keys)
        # Merge before the network exists: the merge's temporaries and the
        # parameter and gradient arrays are then never held at the same time.
        rows, weights, counts = merge_duplicate_rows(
            X, y_idx, sample_weight, keep_order=not self.shuffle, keys=keys
        )
        del keys
        if len(rows) == 0:
            raise ValueError("All sample weights are zero: there is nothing to fit.")
        if not incremental:
            self._initialize(X.shape[1], dtype, rng)
        validation = None
        if validation_data is not None:
            validation = self._encode_validation_data(validation_data, dtype)
        row_weights = _scatter(rows, weights, X.shape[0], X.dtype)
        row_counts = _scatter(rows, counts, X.shape[0], np.intp)
        batch_size = min(200, X.shape[0]) if self.batch_size == "auto" else self.batch_size
        config = TrainingConfig(
            batch_size=batch_size,
            max_iter=1 if one_epoch else self.max_iter,
            shuffle=self.shuffle,
            early_stopping=self.early_stopping and not one_epoch,
            validation_fraction=self.validation_fraction,
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
            alpha=self.alpha,
            verbose=bool(self.verbose),
        )
        result, _ = train(
            self._network,
            self._optimizer,
            self._schedule,
            X,
            y_idx,
            rows,
            row_weights,
            config,
            rng,
            self._history,
            n_classes=len(self.classes_),
            counts=row_counts,
            epoch_offset=self.n_iter_,
            t_offset=self.t_,
            validation=validation,
        )
        self._network.clear()
        self._record(result)
        if not one_epoch and not result.stopped:
            warnings.warn(
                f"Stochastic optimizer: maximum iterations ({self.max_iter}) reached "
                "and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _encode_labels(self, y):
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                "The training data must contain at least two classes; got one class "
                f"({self.classes_[0]!r})."
            )
        return y_idx

    def _encode_known_labels(self, y, classes):
        if not hasattr(self, "classes_"):
            self.classes_ = np.unique(classes)
            if len(self.classes_) < 2:
                raise ValueError(f"classes must contain at least two classes, got {classes!r}.")
        unknown = np.setdiff1d(y, self.classes_)
        if len(unknown):
            raise ValueError(
                f"y contains labels {unknown!r} that are not in classes_ {self.classes_!r}."
            )
        return np.searchsorted(self.classes_, y)

    def _encode_validation_data(self, validation_data, dtype):
        if not isinstance(validation_data, tuple | list) or len(validation_data) not in (2, 3):
            raise ValueError(
                "validation_data must be a tuple (X_val, y_val) or (X_val, y_val, "
                f"sample_weight_val); got {type(validation_data).__name__}."
            )
        X_val, y_val, sw_val = (*validation_data, None)[:3]
        X_val, y_val, sw_val = validate_fit_data(self, X_val, y_val, sw_val, reset=False)
        y_idx = self._encode_known_labels(y_val, None)
        return X_val.astype(dtype, copy=False), y_idx, sw_val

    def _initialize(self, n_features, dtype, rng):
        n_classes = len(self.classes_)
        if self.layers is None:
            sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
            stack = make_layers(sizes, self.activation, n_classes, self.weight_init)
        else:
            check_layers(self.layers)
            stack = copy.deepcopy(list(self.layers))
            last_linear = [layer for layer in stack if isinstance(layer, Linear)][-1]
            if last_linear.n_out is None:
                last_linear.n_out = n_classes
        self._network = Network(stack).build(n_features, rng, dtype)
        if self._network.n_out != n_classes:
            raise ValueError(
                f"The layer stack has {self._network.n_out} outputs but the data has "
                f"{n_classes} classes; give the last Linear layer n_out=None."
            )
        n_params = self._network.flat_params.size
        if self.solver == "adam":
            self._optimizer = Adam(
                n_params, dtype, self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon
            )
            self._schedule = make_schedule("constant", self.learning_rate_init)
        else:
            self._optimizer = SGD(
                n_params, dtype, self.learning_rate_init, self.momentum, self.nesterovs_momentum
            )
            self._schedule = make_schedule(
                self.learning_rate, self.learning_rate_init, self.power_t
            )
        self._history = History()
        self.n_iter_ = 0
        self.t_ = 0

    def _record(self, result):
        history = self._history
        self.n_iter_ += result.n_epochs
        self.t_ = result.t
        self.loss_curve_ = history.column("train_loss")
        self.loss_ = self.loss_curve_[-1]
        self.batch_loss_curve_ = list(history.batch_losses)
        val = history.column("val_loss")
        if not all(np.isnan(val)):
            self.validation_loss_curve_ = val
            self.validation_scores_ = history.column("val_accuracy")
            best = int(np.nanargmin(val))
            self.best_validation_loss_ = val[best]
            self.best_validation_score_ = self.validation_scores_[best]
            self.best_loss_ = None
            self.best_epoch_ = best + 1
        else:
            self.validation_loss_curve_ = None
            self.validation_scores_ = None
            self.best_validation_loss_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_)
            self.best_epoch_ = int(np.argmin(self.loss_curve_)) + 1
        self.layers_ = self._network.layers
        self.n_layers_ = len(self.coefs_) + 1
        self.n_outputs_ = len(self.classes_)
        self.out_activation_ = "softmax"

    @property
    def history_(self):
        """Per-epoch records as a :class:`pandas.DataFrame`, built on access.

        Building it at the end of every fit would import pandas (and, with
        pandas 3, PyArrow for the column names) inside fit: megabytes of
        memory and milliseconds of time that most fits never use.
        """
        check_is_fitted(self, "classes_")
        return self._history.to_frame()

    @property
    def coefs_(self):
        """Weight matrices of the linear layers, shape ``(n_in, n_out)`` each."""
        check_is_fitted(self, "classes_")
        return [layer.params["coef"] for layer in self._network.layers if "coef" in layer.params]

    @property
    def intercepts_(self):
        """Bias vectors of the linear layers, shape ``(n_out,)`` each."""
        check_is_fitted(self, "classes_")
        return [
            layer.params["intercept"]
            for layer in self._network.layers
            if "intercept" in layer.params
        ]

    def _logits(self, X):
        X = validate_predict_data(self, X)
        return self._network.logits(X)

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, columns in the order of ``classes_``.
        """
        Z = self._logits(X)
        return softmax(Z, out=Z)

    def predict_log_proba(self, X):
        """Logarithm of the probability of each class, from the log-softmax.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Finite even where a probability rounds to zero.
        """
        return log_softmax(self._logits(X))

    def predict(self, X):
        """Predict the class of each row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels, drawn from ``classes_``.
        """
        Z = self._logits(X)
        return self.classes_[Z.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

"""MLPLayerRegressor: the layer stack with an identity or exponential output."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils._available_if import available_if

from skmlp._base import ATTRIBUTES_DOC, NOTES_DOC, PARAMETERS_DOC, BaseMLPLayer
from skmlp._targets import Continuous
from skmlp._validation import StrOptions, _fit_context
from skmlp.layers import ExpOutput, IdentityOutput

__all__ = ["MLPLayerRegressor"]


class MLPLayerRegressor(RegressorMixin, BaseMLPLayer):
    _parameter_constraints = {
        **BaseMLPLayer._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        layers=None,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        weight_init="glorot",
        scoring="loss",
    ):
        self.loss = loss
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
        self.max_fun = max_fun
        self.weight_init = weight_init
        self.scoring = scoring

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Train the network on ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32, other types become float64.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values (non-negative for ``loss="poisson"``).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows, in the loss and its gradient.
        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), default=None
            Validation rows of your own, checked like ``X``. They replace the
            ``validation_fraction`` hold-out: nothing is held out of ``X``,
            early stopping monitors their loss, and without early stopping
            their loss and R² are recorded in ``history_`` every epoch.
            Request them with ``set_fit_request(X_val=True, y_val=True)`` in a
            meta-estimator; ``Pipeline(transform_input=["X_val"])`` passes
            them through the same preprocessing as ``X``.
        y_val : array-like of shape (n_val_samples,) or (n_val_samples, n_outputs), default=None
            Their targets; required with ``X_val``.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation rows.

        Returns
        -------
        self : MLPLayerRegressor
            The fitted estimator.
        """
        warm = self.warm_start and hasattr(self, "_model")
        return self._fit(
            X,
            y,
            sample_weight,
            warm=warm,
            one_epoch=False,
            X_val=X_val,
            y_val=y_val,
            sample_weight_val=sample_weight_val,
        )

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
        validation_data=None,
    ):
        """Run one epoch over ``X`` and ``y``, starting from the current weights.

        Only for the stochastic solvers (sgd and adam), as in scikit-learn.
        Nothing is held out of a chunk; pass ``X_val`` and ``y_val`` to record
        the validation loss and R² in ``history_`` (``val_loss``,
        ``val_r2``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows.
        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), default=None
            Validation rows, checked like ``X``, evaluated after the epoch.
        y_val : array-like of shape (n_val_samples,) or (n_val_samples, n_outputs), default=None
            Their targets; required with ``X_val``.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation rows.
        validation_data : tuple, default=None
            ``(X_val, y_val)`` or ``(X_val, y_val, sample_weight_val)``.

            .. deprecated:: 0.2
               Use ``X_val``, ``y_val`` and ``sample_weight_val``;
               ``validation_data`` will be removed in 0.3.

        Returns
        -------
        self : MLPLayerRegressor
            The updated estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight,
            warm=hasattr(self, "_model"),
            one_epoch=True,
            X_val=X_val,
            y_val=y_val,
            sample_weight_val=sample_weight_val,
            validation_data=validation_data,
        )

    # -- the targets --------------------------------------------------------------

    def _target_kind(self, y, classes, previous, *, one_epoch):
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if previous is not None and n_outputs != previous.targets.width:
            raise ValueError(
                f"y has {n_outputs} output(s) but the model was fitted on "
                f"{previous.targets.width}; warm_start=True and partial_fit cannot change "
                "the number of outputs. Set warm_start=False to fit a new model."
            )
        return "continuous", None

    def _default_output(self, kind):
        return ExpOutput() if self.loss == "poisson" else IdentityOutput()

    def _make_targets(self, kind, labels, output, y):
        if isinstance(output, ExpOutput) and np.any(np.asarray(y) < 0):
            raise ValueError(
                "Some value(s) of y are negative, which is not allowed for Poisson "
                "regression (loss='poisson' or an ExpOutput layer)."
            )
        return Continuous(1 if y.ndim == 1 else y.shape[1], one_d=y.ndim == 1)

    # -- prediction ---------------------------------------------------------------

    def predict(self, X):
        """Predict the target of each row with the output layer.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values (means, for ``loss="poisson"``), a vector when
            the model was fitted on a 1-D ``y``.

        Raises
        ------
        ValueError
            When ``X`` overflows the network (non-finite outputs): never NaN.
        """
        prediction = self._predict_output(X)
        return self._model.targets.predict(prediction)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags


MLPLayerRegressor.__doc__ = f"""Multilayer perceptron regressor on an explicit stack of layers.

    The network is a list of :mod:`skmlp.layers` objects (by default
    ``Linear, activation`` per hidden layer, then ``Linear`` and
    :class:`~skmlp.layers.IdentityOutput`, or
    :class:`~skmlp.layers.ExpOutput` for ``loss="poisson"``), trained by
    Adam, minibatch SGD or L-BFGS on the output layer's loss.

    Every parameter that :class:`sklearn.neural_network.MLPRegressor` also
    has keeps its name, meaning and default, so that changing the class name
    gives the same model; the one difference in meaning is that
    ``early_stopping`` monitors the validation loss (scikit-learn's
    regressor monitors R², scikit-learn#24411) and keeps the best epoch.

    Parameters
    ----------
    loss : {{"squared_error", "poisson"}}, default="squared_error"
        Half the squared error with identity outputs, or half the Poisson
        deviance with exponential outputs (for counts and rates; ``y`` must
        be non-negative). Ignored when ``layers`` is given: the stack's
        output layer owns the loss.

{
    PARAMETERS_DOC.format(
        layers_output=" (and ``loss``)",
        warm_targets=" or number of outputs",
        holdout="a random ``validation_fraction``",
        loss="loss",
        peer="MLPRegressor",
        scoring_names='``"r2"``, ``"neg_mean_squared_error"``, ``"neg_mean_absolute_error"``',
        peer_score="R²",
    )
}

    Attributes
    ----------
{
    ATTRIBUTES_DOC.format(
        score="R²",
        n_outputs="the columns of ``y`` (1 for a 1-D ``y``).",
        out_activation='``"identity"``, ``"exp"`` (``loss="poisson"``), or the output '
        "layer's class name for a custom one.",
        score_column="val_r2",
    )
}

    See Also
    --------
    sklearn.neural_network.MLPRegressor : scikit-learn's multilayer perceptron.
    skmlp.MLPLayerClassifier : The same layer stack for classification.

    Notes
    -----
    The squared-error loss is summed over the outputs (and averaged over
    the rows), so it is consistent with the gradient both libraries train
    on; scikit-learn reports its mean over the outputs instead, the same
    value for one output.

{NOTES_DOC.format(split="random")}

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skmlp import MLPLayerRegressor
    >>> X, y = make_friedman1(n_samples=500, random_state=0)
    >>> model = make_pipeline(StandardScaler(), MLPLayerRegressor(solver="lbfgs", random_state=0))
    >>> model = model.fit(X, y)
    >>> print(model.score(X, y) > 0.9)
    True
    """

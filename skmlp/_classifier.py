"""MLPLayerClassifier: class labels, binary and multilabel targets, probabilities."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils._available_if import available_if
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import type_of_target

from skmlp._base import (
    ATTRIBUTES_DOC,
    NOTES_DOC,
    PARAMETERS_DOC,
    BaseMLPLayer,
    expected_failed_checks,
)
from skmlp._targets import BinaryClasses, Indicator, OneHotClasses
from skmlp._validation import StrOptions, _fit_context, validate_predict_data
from skmlp.layers import LogisticOutput, SoftmaxOutput

__all__ = ["MLPLayerClassifier", "expected_failed_checks"]


class MLPLayerClassifier(ClassifierMixin, BaseMLPLayer):
    _parameter_constraints = {
        **BaseMLPLayer._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
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
        class_weight=None,
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
        self.max_fun = max_fun
        self.weight_init = weight_init
        self.scoring = scoring
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Train the network on ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32, other types become float64.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (two or more distinct values), or a multilabel
            indicator matrix of 0s and 1s.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows, in the loss and its gradient
            (multiplied by ``class_weight``).
        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), default=None
            Validation rows of your own, checked like ``X``. They replace the
            ``validation_fraction`` hold-out: nothing is held out of ``X``,
            early stopping monitors their loss, and without early stopping
            their loss and accuracy are recorded in ``history_`` every epoch.
            Request them with ``set_fit_request(X_val=True, y_val=True)`` in a
            meta-estimator; ``Pipeline(transform_input=["X_val"])`` passes
            them through the same preprocessing as ``X``.
        y_val : array-like of shape (n_val_samples,) or (n_val_samples, n_labels), default=None
            Their labels, all among those of ``y``; required with ``X_val``.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation rows (multiplied by ``class_weight``).

        Returns
        -------
        self : MLPLayerClassifier
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
        classes=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
        validation_data=None,
    ):
        """Run one epoch over ``X`` and ``y``, starting from the current weights.

        Only for the stochastic solvers (sgd and adam), as in scikit-learn.
        ``early_stopping`` and ``validation_fraction`` apply to :meth:`fit`
        only: nothing is held out of a chunk and training never stops by
        itself. To monitor training, pass ``X_val`` and ``y_val``: they are
        evaluated after the epoch and recorded in ``history_``
        (``val_loss``, ``val_accuracy``), ``validation_loss_curve_`` and
        ``validation_scores_``. Deciding when to stop, and keeping the best
        weights (for example a ``copy.deepcopy`` of the estimator when
        ``best_epoch_ == n_iter_``), is left to the caller.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Its labels, all in ``classes``, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows.
        classes : array-like of shape (n_classes,), default=None
            Every class that can appear; required on the first call, ignored
            (but checked) afterwards. For a multilabel ``y``, the label
            columns are the classes: pass ``np.arange(n_labels)``.
        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), default=None
            Validation rows, checked like ``X``, evaluated after the epoch.
        y_val : array-like of shape (n_val_samples,) or (n_val_samples, n_labels), default=None
            Their labels, all in ``classes_``; required with ``X_val``.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation rows (multiplied by ``class_weight``).
        validation_data : tuple, default=None
            ``(X_val, y_val)`` or ``(X_val, y_val, sample_weight_val)``.

            .. deprecated:: 0.2
               Use ``X_val``, ``y_val`` and ``sample_weight_val``;
               ``validation_data`` will be removed in 0.3.

        Returns
        -------
        self : MLPLayerClassifier
            The updated estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight,
            warm=hasattr(self, "_model"),
            one_epoch=True,
            classes=classes,
            X_val=X_val,
            y_val=y_val,
            sample_weight_val=sample_weight_val,
            validation_data=validation_data,
        )

    # -- the targets --------------------------------------------------------------

    def _target_kind(self, y, classes, previous, *, one_epoch):
        kind = _kind_of(y)
        if previous is not None:
            known, known_kind = self.classes_, previous.targets.kind
            if (kind == "multilabel-indicator") != (known_kind == "multilabel-indicator"):
                raise ValueError(
                    f"y is {kind} but the model was fitted on {known_kind} targets. Set "
                    "warm_start=False to fit a new model."
                )
            if kind == "multilabel-indicator":
                return known_kind, known
            labels = np.unique(y)
            if not one_epoch and not np.array_equal(labels, known):
                raise ValueError(
                    f"warm_start=True cannot change the set of classes: the model was "
                    f"fitted on {known!r}, y has {labels!r}. Set warm_start=False "
                    "to fit a new model."
                )
            if classes is not None and not np.array_equal(np.unique(classes), known):
                raise ValueError(
                    f"classes={classes!r} differs from the classes of the first "
                    f"partial_fit call, {known!r}."
                )
            return known_kind, known
        if kind == "multilabel-indicator":
            if one_epoch and classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            return kind, None
        if one_epoch:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            labels = np.unique(classes)
            if len(labels) < 2:
                raise ValueError(f"classes must contain at least two classes, got {classes!r}.")
        else:
            labels = np.unique(y)
            if len(labels) < 2:
                raise ValueError(
                    "The training data must contain at least two classes; got one class "
                    f"({labels[0]!r})."
                )
        return ("binary" if len(labels) == 2 else "multiclass"), labels

    def _default_output(self, kind):
        return SoftmaxOutput() if kind == "multiclass" else LogisticOutput()

    def _make_targets(self, kind, labels, output, y):
        if kind == "multilabel-indicator":
            if isinstance(output, SoftmaxOutput):
                raise ValueError(
                    "A multilabel y needs one independent output per label, such as "
                    "LogisticOutput(); the stack ends in SoftmaxOutput(), whose outputs "
                    "sum to one."
                )
            return Indicator(y.shape[1])
        if kind == "binary" and isinstance(output, LogisticOutput):
            return BinaryClasses(labels)
        return OneHotClasses(labels)

    def _target_attributes(self, targets):
        return {"classes_": targets.classes}

    def _class_weights(self, targets, y, *, one_epoch):
        return class_weights(self.class_weight, targets, y, one_epoch=one_epoch)

    # -- prediction ---------------------------------------------------------------

    def predict_proba(self, X):
        """Probability of each class (each label for multilabel), from the output layer.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, columns in the order of ``classes_``; for a
            binary problem with one logistic unit ``[1 - p, p]``; for a
            multilabel ``y``, the probability of every label.

        Raises
        ------
        ValueError
            When ``X`` overflows the network (non-finite outputs): never NaN.
        """
        proba = self._predict_output(X)
        return self._model.targets.proba(proba)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, from the output layer's log-prediction.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Finite even where a probability rounds to zero (for the built-in
            output layers, computed from the logits).
        """
        X = validate_predict_data(self, X)
        return self._model.targets.log_proba(self._model.network, X)

    def predict(self, X):
        """Predict the class of each row (the labels of each row for multilabel).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels, drawn from ``classes_``: the most probable
            class, the second class of a binary problem where its probability
            exceeds 0.5, or the indicator matrix of the labels whose
            probability exceeds 0.5.
        """
        prediction = self._predict_output(X)
        return self._model.targets.predict(prediction)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


def class_weights(class_weight, targets, y, *, one_epoch):
    """The weight of every class index under ``class_weight``, or None.

    As in :class:`~sklearn.linear_model.LogisticRegression`: a dict maps
    labels to weights (1 for the others), ``"balanced"`` gives
    ``n_samples / (n_classes * bincount(y))`` from the labels ``y`` given to
    fit, so that the row weights equal
    :func:`~sklearn.utils.class_weight.compute_sample_weight` of ``y``.

    Raises
    ------
    ValueError
        For a multilabel ``y``, and for ``"balanced"`` in ``partial_fit``
        (a chunk's label counts are not the data's).
    """
    if class_weight is None:
        return None
    if targets.kind == "multilabel-indicator":
        raise ValueError(
            "class_weight is not supported for multilabel targets: each row has "
            "several labels. Weight the rows with sample_weight instead."
        )
    if class_weight == "balanced" and one_epoch:
        raise ValueError(
            "class_weight='balanced' is not supported by partial_fit: a chunk's label "
            "counts are not those of the data. Pass a dict, for instance from "
            "sklearn.utils.class_weight.compute_class_weight('balanced', classes=classes, "
            "y=y) on all the labels."
        )
    return compute_class_weight(class_weight, classes=targets.classes, y=y)


def _kind_of(y):
    kind = type_of_target(y)
    if kind not in ("binary", "multiclass", "multilabel-indicator"):
        raise ValueError(
            f"MLPLayerClassifier supports binary, multiclass and multilabel-indicator "
            f"targets; y is {kind}."
        )
    return kind


MLPLayerClassifier.__doc__ = f"""Multilayer perceptron classifier on an explicit stack of layers.

    The network is a list of :mod:`skmlp.layers` objects (by default
    ``Linear, activation`` per hidden layer, then ``Linear`` and the output
    layer: :class:`~skmlp.layers.SoftmaxOutput` for several classes, one
    :class:`~skmlp.layers.LogisticOutput` unit for two, one per label for a
    multilabel ``y``), trained by Adam, minibatch SGD or L-BFGS on the output
    layer's loss (the cross-entropy).

    Every parameter that :class:`sklearn.neural_network.MLPClassifier` also has
    keeps its name, meaning and default, so that changing the class name
    gives the same model; the one difference in meaning is that
    ``early_stopping`` monitors the validation loss and keeps the best epoch.
    The tutorial's network is one line away:
    ``MLPLayerClassifier(**skmlp.datasets.TUTORIAL_PARAMS)``.

    Parameters
    ----------
{
    PARAMETERS_DOC.format(
        layers_output="",
        warm_targets=" or set of classes",
        holdout="a stratified ``validation_fraction`` (random for multilabel ``y``)",
        loss="cross-entropy",
        peer="MLPClassifier",
        scoring_names='``"accuracy"``, ``"balanced_accuracy"``, ``"neg_log_loss"``',
        peer_score="accuracy",
    )
}

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, as in
        :class:`~sklearn.linear_model.LogisticRegression`: every row's
        weight (``sample_weight``, and ``sample_weight_val`` for ``X_val``)
        is multiplied by its class's weight. A dict maps labels to weights
        (1 for the labels it omits); ``"balanced"`` uses
        ``n_samples / (n_classes * np.bincount(y))`` of the labels given to
        ``fit`` (also for the early-stopping hold-out and ``X_val``). The fit
        is the same, bit for bit, as passing
        ``sample_weight=compute_sample_weight(class_weight, y)``. Not
        supported for multilabel ``y``; ``partial_fit`` accepts a dict
        only.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (``arange(n_labels)`` for a multilabel ``y``).
{
    ATTRIBUTES_DOC.format(
        score="accuracy (subset accuracy for multilabel)",
        n_outputs="one per class, a single logistic unit for two classes (as "
        "scikit-learn), one per label for multilabel; a custom stack decides its own.",
        out_activation='``"softmax"``, ``"logistic"`` (binary and multilabel), or the '
        "output layer's class name for a custom one.",
        score_column="val_accuracy",
    )
}

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's multilayer perceptron.
    skmlp.MLPLayerRegressor : The same layer stack for regression.
    skmlp.check_gradients : Check a layer stack's gradients numerically.

    Notes
    -----
{NOTES_DOC.format(split="stratified (random for multilabel)")}

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skmlp import MLPLayerClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = MLPLayerClassifier(hidden_layer_sizes=(20,), random_state=0)
    >>> clf = clf.fit(X / 16, y)
    >>> clf.predict(X[:3] / 16).shape
    (3,)
    >>> [W.shape for W in clf.coefs_]
    [(64, 20), (20, 10)]
    >>> from skmlp.datasets import TUTORIAL_PARAMS
    >>> tutorial = MLPLayerClassifier(**TUTORIAL_PARAMS, random_state=0).fit(X, y)
    >>> [W.shape for W in tutorial.coefs_]
    [(64, 20), (20, 20), (20, 10)]
    """

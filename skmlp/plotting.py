"""Figures of a training run, following scikit-learn's Display convention.

Each display is built with a ``from_*`` class method (or from raw values with
its constructor and ``plot``) and keeps the matplotlib objects it drew as
attributes ending in ``_`` (``ax_``, ``figure_``, ...). For confusion matrices
use scikit-learn's own :class:`sklearn.metrics.ConfusionMatrixDisplay`.

matplotlib is an optional dependency: ``pip install 'skmlp[plot]'``. It is
imported only when a figure is drawn, never by ``import skmlp``.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["ImageGridDisplay", "TrainingCurveDisplay"]


def _import_matplotlib(caller):
    """Import matplotlib, or explain how to install it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib, which is an optional dependency of "
            "skmlp. Install it with: pip install 'skmlp[plot]'"
        ) from exc


def _get_axes(ax, caller):
    """Return ``(ax, figure)``, creating a new figure with pyplot when ``ax`` is None."""
    _import_matplotlib(caller)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax, ax.figure


def _final_estimator(estimator):
    """The last step of a pipeline, or the estimator itself."""
    return estimator[-1] if hasattr(estimator, "steps") else estimator


class TrainingCurveDisplay:
    """Loss per epoch of a trained network, with its minibatch losses and kept epoch.

    Draws the curves of the tutorial's cost figure: the training loss of every
    epoch, the validation loss of every epoch (of the early-stopping hold-out,
    or of the ``X_val`` given to ``fit``, with or without early stopping),
    the loss of every minibatch as a thin line between them, and a vertical
    line at the epoch whose weights were kept.

    Build it with :meth:`from_estimator`; the constructor takes raw curves and
    draws nothing until :meth:`plot` is called.

    Parameters
    ----------
    train_loss : array-like of shape (n_epochs,)
        Training loss of each epoch.
    validation_loss : array-like of shape (n_epochs,), default=None
        Validation loss of each epoch; None when there was no validation set.
    batch_loss : list of array-like, default=None
        Loss of every minibatch, one array per epoch. The ``i``-th of ``n``
        minibatches of epoch ``e`` is drawn at ``e - 1 + (i + 1) / n``.
    best_epoch : int, default=None
        1-based epoch whose weights were kept; None draws no marker.
    estimator_name : str, default=None
        Prefix of the legend labels.

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
        Axes the curves were drawn on.
    figure_ : matplotlib.figure.Figure
        Figure holding ``ax_``.
    lines_ : dict of str to matplotlib.lines.Line2D
        The drawn curves under the keys ``"train"``, ``"validation"`` and
        ``"batch"`` (only those that were drawn).
    best_epoch_line_ : matplotlib.lines.Line2D or None
        Vertical marker of the kept epoch, if drawn.

    See Also
    --------
    sklearn.metrics.ConfusionMatrixDisplay : Confusion matrix of predictions.
    ImageGridDisplay : Images such as digits, with their labels.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_digits
    >>> from skmlp import MLPLayerClassifier
    >>> from skmlp.datasets import TUTORIAL_PARAMS
    >>> from skmlp.plotting import TrainingCurveDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = MLPLayerClassifier(**TUTORIAL_PARAMS, random_state=0).fit(X / 16, y)
    >>> display = TrainingCurveDisplay.from_estimator(clf)
    >>> sorted(display.lines_)
    ['batch', 'train', 'validation']
    >>> display.ax_.get_xlabel()
    'epoch'
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        *,
        train_loss,
        validation_loss=None,
        batch_loss=None,
        best_epoch=None,
        estimator_name=None,
    ):
        self.train_loss = train_loss
        self.validation_loss = validation_loss
        self.batch_loss = batch_loss
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, name=None, show_batches=True, show_best_epoch=True):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a new figure.
        name : str, default=None
            Prefix of the legend labels; defaults to ``estimator_name``.
        show_batches : bool, default=True
            Draw the minibatch losses, when they were recorded.
        show_best_epoch : bool, default=True
            Mark the epoch whose weights were kept, when known.

        Returns
        -------
        display : TrainingCurveDisplay
            This display, with ``ax_``, ``figure_``, ``lines_`` and
            ``best_epoch_line_`` set.
        """
        ax, figure = _get_axes(ax, f"{type(self).__name__}.plot")
        name = self.estimator_name if name is None else name
        prefix = f"{name}: " if name else ""
        train = np.asarray(self.train_loss, dtype=float)
        epochs = np.arange(1, len(train) + 1)
        self.lines_ = {}
        if show_batches and self.batch_loss is not None and len(self.batch_loss):
            x = [
                e + (np.arange(len(b)) + 1) / len(b)
                for e, b in enumerate(self.batch_loss)
                if len(b)
            ]
            (self.lines_["batch"],) = ax.plot(
                np.concatenate(x),
                np.concatenate([np.asarray(b, dtype=float) for b in self.batch_loss]),
                color="0.6",
                linewidth=0.5,
                alpha=0.8,
                label=f"{prefix}minibatch loss",
            )
        (self.lines_["train"],) = ax.plot(
            epochs, train, color="C0", linewidth=2, label=f"{prefix}training loss"
        )
        if self.validation_loss is not None:
            (self.lines_["validation"],) = ax.plot(
                epochs,
                np.asarray(self.validation_loss, dtype=float),
                color="C1",
                linewidth=2,
                label=f"{prefix}validation loss",
            )
        self.best_epoch_line_ = None
        if show_best_epoch and self.best_epoch is not None:
            self.best_epoch_line_ = ax.axvline(
                self.best_epoch,
                color="C3",
                linestyle="--",
                linewidth=1,
                label=f"{prefix}weights kept (epoch {self.best_epoch})",
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.set_xlim(0, max(len(train), 1))
        ax.set_ylim(bottom=0)
        ax.legend()
        self.ax_, self.figure_ = ax, figure
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, ax=None, name=None, show_batches=True, show_best_epoch=True
    ):
        """Draw the training curves recorded by a fitted estimator.

        Works with :class:`~skmlp.MLPLayerClassifier`,
        :class:`~skmlp.MLPLayerRegressor` and any estimator with a
        ``loss_curve_``, such as scikit-learn's
        :class:`~sklearn.neural_network.MLPClassifier` with a stochastic solver
        (its validation accuracy is not a loss, so only its training loss is
        drawn; the kept epoch is its best validation accuracy). For a pipeline,
        the curves of its last step are drawn. The validation curve is
        ``validation_loss_curve_``: the early-stopping hold-out's loss, or the
        loss of the ``X_val`` given to ``fit``, also without early stopping.

        Parameters
        ----------
        estimator : estimator instance
            Fitted estimator (or pipeline) whose final step has ``loss_curve_``
            and optionally ``validation_loss_curve_``, ``batch_loss_curve_``
            and ``best_epoch_``.
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a new figure.
        name : str, default=None
            Prefix of the legend labels; none by default.
        show_batches : bool, default=True
            Draw the minibatch losses, when they were recorded.
        show_best_epoch : bool, default=True
            Mark the epoch whose weights were kept: early stopping's best
            epoch (``best_epoch_``, by the validation loss or by
            ``scoring``). Without early stopping (or with lbfgs, which
            ignores it) the last epoch's weights are kept and nothing is
            marked, even when ``X_val`` recorded a validation curve.

        Returns
        -------
        display : TrainingCurveDisplay
            The display, with the curves drawn.
        """
        check_is_fitted(estimator)
        est = _final_estimator(estimator)
        if not hasattr(est, "loss_curve_"):
            raise ValueError(
                f"{type(est).__name__} has no loss_curve_ attribute: no per-epoch "
                "training loss was recorded (scikit-learn's MLP records one only "
                "with solver='sgd' or 'adam')."
            )
        validation = getattr(est, "validation_loss_curve_", None)
        scores = getattr(est, "validation_scores_", None)
        # the weights of a best epoch are kept only by early stopping
        restored = getattr(est, "early_stopping", False) and getattr(est, "solver", "") != "lbfgs"
        best_epoch = None
        if restored and validation is not None:
            best_epoch = getattr(est, "best_epoch_", int(np.nanargmin(validation)) + 1)
        elif restored and scores is not None:  # sklearn's MLP keeps the best-accuracy epoch
            best_epoch = int(np.argmax(scores)) + 1
        display = cls(
            train_loss=est.loss_curve_,
            validation_loss=validation,
            batch_loss=getattr(est, "batch_loss_curve_", None),
            best_epoch=best_epoch,
            estimator_name=name,
        )
        return display.plot(ax=ax, show_batches=show_batches, show_best_epoch=show_best_epoch)


class ImageGridDisplay:
    """Small grey-scale images in a grid on one axes, each with a caption.

    Shows samples of an image data set such as scikit-learn's 8x8 digits, or
    the images a classifier got wrong with their true and predicted labels.
    Build it with :meth:`from_data` or :meth:`from_predictions`.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width)
        The images; one grey scale, shared by all of them, is used.
    captions : list of str, default=None
        Text under each image.

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
        Axes the images were drawn on.
    figure_ : matplotlib.figure.Figure
        Figure holding ``ax_``.
    images_ : list of matplotlib.image.AxesImage
        One per image.
    texts_ : list of matplotlib.text.Text
        The captions drawn.

    See Also
    --------
    TrainingCurveDisplay : Training and validation loss per epoch.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_digits
    >>> from skmlp.plotting import ImageGridDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> display = ImageGridDisplay.from_data(X, y)
    >>> len(display.images_), display.texts_[3].get_text()
    (10, '3')
    >>> plt.close(display.figure_)
    """

    def __init__(self, images, captions=None):
        self.images = images
        self.captions = captions

    def plot(self, ax=None, *, n_cols=None, cmap="gray_r"):
        """Draw the images.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a new figure sized for the grid.
        n_cols : int, default=None
            Images per row; at most 10 by default.
        cmap : str or matplotlib.colors.Colormap, default="gray_r"
            Colour map (``"gray_r"`` draws ink dark on a light page).

        Returns
        -------
        display : ImageGridDisplay
            This display, with ``ax_``, ``figure_``, ``images_`` and
            ``texts_`` set.
        """
        images = np.asarray(self.images, dtype=float)
        if images.ndim != 3:
            raise ValueError(f"images must have 3 dimensions, got shape {images.shape}.")
        n, height, width = images.shape
        n_cols = max(1, min(n, 10) if n_cols is None else int(n_cols))
        n_rows = max(1, -(-n // n_cols))
        gap_x, gap_y = 0.2 * width, 0.5 * height  # room for the captions
        _import_matplotlib(f"{type(self).__name__}.plot")
        if ax is None:
            import matplotlib.pyplot as plt

            inch = 0.9 / (width + gap_x)  # about 0.9 inch per image
            _, ax = plt.subplots(
                figsize=(n_cols * (width + gap_x) * inch, n_rows * (height + gap_y) * inch),
                layout="constrained",
            )
        vmin, vmax = (images.min(), images.max()) if n else (0.0, 1.0)
        self.images_, self.texts_ = [], []
        for k, image in enumerate(images):
            row, col = divmod(k, n_cols)
            x0, y0 = col * (width + gap_x), row * (height + gap_y)
            self.images_.append(
                ax.imshow(
                    image,
                    cmap=cmap,
                    vmin=vmin,
                    vmax=vmax,
                    extent=(x0, x0 + width, y0 + height, y0),
                    interpolation="nearest",
                )
            )
            if self.captions is not None:
                self.texts_.append(
                    ax.text(
                        x0 + width / 2,
                        y0 + height + 0.05 * height,
                        str(self.captions[k]),
                        ha="center",
                        va="top",
                        fontsize="small",
                    )
                )
        ax.set_xlim(-0.05 * width, n_cols * (width + gap_x) - gap_x + 0.05 * width)
        ax.set_ylim(n_rows * (height + gap_y), -0.05 * height)
        ax.set_aspect("equal")
        ax.set_axis_off()
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_data(
        cls,
        X,
        y=None,
        *,
        image_shape=None,
        max_images=10,
        one_per_class=True,
        ax=None,
        n_cols=None,
        cmap="gray_r",
    ):
        """Draw the first rows of a data set as images, captioned with their labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Images, flattened or not.
        y : array-like of shape (n_samples,), default=None
            Labels, used as captions.
        image_shape : tuple of int, default=None
            ``(height, width)`` of a flattened image; None means square.
        max_images : int, default=10
            Number of images drawn at most.
        one_per_class : bool, default=True
            With ``y``, draw the first image of each class (in sorted order)
            rather than the first rows.
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a new figure.
        n_cols : int, default=None
            Images per row; at most 10 by default.
        cmap : str or matplotlib.colors.Colormap, default="gray_r"
            Colour map.

        Returns
        -------
        display : ImageGridDisplay
            The display, with the images drawn.
        """
        images = _as_images(X, image_shape)
        if y is None:
            rows, captions = np.arange(min(max_images, len(images))), None
        else:
            y = np.asarray(y)
            if one_per_class:
                _, first = np.unique(y, return_index=True)
                rows = first[:max_images]
            else:
                rows = np.arange(min(max_images, len(images)))
            captions = [str(label) for label in y[rows]]
        display = cls(images[rows], captions)
        return display.plot(ax=ax, n_cols=n_cols, cmap=cmap)

    @classmethod
    def from_predictions(
        cls,
        X,
        y_true,
        y_pred,
        *,
        image_shape=None,
        max_images=10,
        errors_only=True,
        ax=None,
        n_cols=None,
        cmap="gray_r",
    ):
        """Draw images captioned with their true and predicted labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
            Images, flattened or not.
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        image_shape : tuple of int, default=None
            ``(height, width)`` of a flattened image; None means square.
        max_images : int, default=10
            Number of images drawn at most.
        errors_only : bool, default=True
            Draw only the misclassified rows.
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a new figure.
        n_cols : int, default=None
            Images per row; at most 10 by default.
        cmap : str or matplotlib.colors.Colormap, default="gray_r"
            Colour map.

        Returns
        -------
        display : ImageGridDisplay
            The display, captions reading ``"true → predicted"``.
        """
        images = _as_images(X, image_shape)
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        rows = np.flatnonzero(y_true != y_pred) if errors_only else np.arange(len(y_true))
        rows = rows[:max_images]
        captions = [f"{t} → {p}" for t, p in zip(y_true[rows], y_pred[rows])]
        display = cls(images[rows], captions)
        return display.plot(ax=ax, n_cols=n_cols, cmap=cmap)


def _as_images(X, image_shape):
    """Reshape rows of pixels into an array of shape (n_samples, height, width)."""
    X = np.asarray(X, dtype=float)
    if X.ndim == 3:
        return X
    if X.ndim != 2:
        raise ValueError(f"X must have 2 or 3 dimensions, got shape {X.shape}.")
    if image_shape is None:
        side = round(np.sqrt(X.shape[1]))
        if side * side != X.shape[1]:
            raise ValueError(f"{X.shape[1]} features do not make a square image; pass image_shape.")
        image_shape = (side, side)
    return X.reshape(len(X), *image_shape)

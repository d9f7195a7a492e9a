"""The tutorial's main job: train the 64-20-20-10 network on the digits and report."""

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix

from skmlp import MLPLayerClassifier
from skmlp.datasets import TUTORIAL_PARAMS, load_tutorial_digits


def build_parser():
    """Return the command-line parser of ``python -m skmlp``.

    The option defaults are the tutorial's settings, taken from
    :data:`skmlp.datasets.TUTORIAL_PARAMS`.
    """
    # The description is printed as written (argparse only %-formats it when
    # it contains "%(prog)"); the help strings are %-formatted.
    parser = argparse.ArgumentParser(
        prog="python -m skmlp",
        description=(
            "Train the tutorial's multilayer perceptron (skmlp.datasets.TUTORIAL_PARAMS) "
            "on scikit-learn's digits (60% train, 20% validation for early stopping, "
            "20% test) and print the epochs run, the test accuracy and the confusion matrix."
        ),
    )
    sizes = TUTORIAL_PARAMS["hidden_layer_sizes"]
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the split and the training (default: %(default)s)",
    )
    parser.add_argument(
        "--hidden-layer-sizes",
        type=int,
        nargs="+",
        default=list(sizes),
        metavar="N",
        help=f"width of each hidden layer (default: {' '.join(map(str, sizes))})",
    )
    parser.add_argument(
        "--learning-rate-init",
        type=float,
        default=TUTORIAL_PARAMS["learning_rate_init"],
        help="SGD learning rate (default: %(default)s)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=TUTORIAL_PARAMS["batch_size"],
        help="rows per minibatch (default: %(default)s)",
    )
    parser.add_argument(
        "--max-iter",
        type=int,
        default=TUTORIAL_PARAMS["max_iter"],
        help="maximum number of epochs (default: %(default)s)",
    )
    parser.add_argument("--verbose", action="store_true", help="print one line per epoch")
    parser.add_argument(
        "--plot",
        metavar="DIR",
        help=(
            "also write the tutorial's figures to DIR as PNG files: sample digits, "
            "cost curves and confusion matrix (needs matplotlib: pip install 'skmlp[plot]')"
        ),
    )
    return parser


def main(argv=None):
    """Run the demo; ``argv`` defaults to the command line. Returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.plot is not None and importlib.util.find_spec("matplotlib") is None:
        parser.error("--plot needs matplotlib; install it with: pip install 'skmlp[plot]'")
    X_fit, X_test, y_fit, y_test = load_tutorial_digits(random_state=args.random_state)
    # The tutorial's settings, spelled out: the estimator's defaults are scikit-learn's.
    params = {
        **TUTORIAL_PARAMS,
        "hidden_layer_sizes": tuple(args.hidden_layer_sizes),
        "learning_rate_init": args.learning_rate_init,
        "batch_size": args.batch_size,
        "max_iter": args.max_iter,
    }
    clf = MLPLayerClassifier(**params, random_state=args.random_state, verbose=args.verbose)
    start = time.perf_counter()
    clf.fit(X_fit, y_fit)
    seconds = time.perf_counter() - start
    y_pred = clf.predict(X_test)
    sizes = "-".join(str(w.shape[0]) for w in clf.coefs_) + f"-{clf.n_outputs_}"
    print(f"Network: {sizes} ({type(clf.layers_[1]).__name__} hidden units)")
    n_train = clf.t_ // clf.n_iter_  # rows seen per epoch: the fit set minus the hold-out
    print(
        f"Data: {len(X_fit) + len(X_test)} digits; trained on {n_train}, validated on "
        f"{len(X_fit) - n_train}, tested on {len(X_test)}"
    )
    print(
        f"Epochs run: {clf.n_iter_} (weights kept from epoch {clf.best_epoch_}, "
        f"validation loss {clf.best_validation_loss_:.4f}) in {seconds:.2f} s"
    )
    print(f"Test accuracy: {accuracy_score(y_test, y_pred):.2%}")
    labels = np.arange(10)
    matrix = pd.DataFrame(
        confusion_matrix(y_test, y_pred, labels=labels),
        index=pd.Index(labels, name="true"),
        columns=pd.Index(labels, name="predicted"),
    )
    print("Confusion matrix (rows: true digit, columns: predicted digit):")
    print(matrix.to_string())
    if args.plot is not None:
        for path in write_figures(Path(args.plot), clf, X_fit, y_fit, y_test, y_pred):
            print(f"Wrote {path}")
    return 0


def write_figures(directory, clf, X_fit, y_fit, y_test, y_pred):
    """Write the tutorial's three figures as PNG files into ``directory``.

    Parameters
    ----------
    directory : pathlib.Path
        Created if missing; existing files of the same names are replaced.
    clf : MLPLayerClassifier
        The fitted classifier, whose training curves are drawn.
    X_fit, y_fit : ndarray
        Images and labels the sample digits are taken from.
    y_test, y_pred : ndarray
        True and predicted test labels for the confusion matrix.

    Returns
    -------
    paths : list of pathlib.Path
        The files written: ``sample_digits.png``, ``cost_curves.png`` and
        ``confusion_matrix.png``.
    """
    # Figures are built without pyplot, so no GUI backend is ever involved.
    from matplotlib.figure import Figure
    from sklearn.metrics import ConfusionMatrixDisplay

    from skmlp.plotting import ImageGridDisplay, TrainingCurveDisplay

    directory.mkdir(parents=True, exist_ok=True)
    figures = {}

    fig = Figure(figsize=(9, 1.4), layout="constrained")
    ImageGridDisplay.from_data(X_fit, y_fit, ax=fig.subplots())
    fig.suptitle("One example of each digit")
    figures["sample_digits.png"] = fig

    fig = Figure(figsize=(7, 4.5), layout="constrained")
    display = TrainingCurveDisplay.from_estimator(clf, ax=fig.subplots())
    display.ax_.set_title("Loss during training")
    figures["cost_curves.png"] = fig

    fig = Figure(figsize=(6, 5), layout="constrained")
    display = ConfusionMatrixDisplay.from_predictions(
        y_test, y_pred, labels=clf.classes_, ax=fig.subplots(), colorbar=False
    )
    display.ax_.set_title(f"Test set ({len(y_test)} digits)")
    figures["confusion_matrix.png"] = fig

    paths = []
    for name, fig in figures.items():
        fig.savefig(directory / name, dpi=100)
        paths.append(directory / name)
    return paths

"""The tutorial's main job: train the 64-20-20-10 network on the digits and report."""

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix

from skmlp._classifier import MLPLayerClassifier
from skmlp.datasets import load_tutorial_digits


def build_parser():
    """Return the command-line parser of ``python -m skmlp``."""
    parser = argparse.ArgumentParser(
        prog="python -m skmlp",
        description=(
            "Train the tutorial's multilayer perceptron on scikit-learn's digits "
            "(60%% train, 20%% validation for early stopping, 20%% test) and print "
            "the epochs run, the test accuracy and the confusion matrix."
        ),
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the split and the training (default: 0)",
    )
    parser.add_argument(
        "--hidden-layer-sizes",
        type=int,
        nargs="+",
        default=[20, 20],
        metavar="N",
        help="width of each hidden layer (default: 20 20)",
    )
    parser.add_argument(
        "--learning-rate-init", type=float, default=0.1, help="SGD learning rate (default: 0.1)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=25, help="rows per minibatch (default: 25)"
    )
    parser.add_argument(
        "--max-iter", type=int, default=300, help="maximum number of epochs (default: 300)"
    )
    parser.add_argument("--verbose", action="store_true", help="print one line per epoch")
    return parser


def main(argv=None):
    """Run the demo; ``argv`` defaults to the command line. Returns the exit status."""
    args = build_parser().parse_args(argv)
    X_fit, X_test, y_fit, y_test = load_tutorial_digits(random_state=args.random_state)
    clf = MLPLayerClassifier(
        hidden_layer_sizes=tuple(args.hidden_layer_sizes),
        learning_rate_init=args.learning_rate_init,
        batch_size=args.batch_size,
        max_iter=args.max_iter,
        random_state=args.random_state,
        verbose=args.verbose,
    )
    start = time.perf_counter()
    clf.fit(X_fit, y_fit)
    seconds = time.perf_counter() - start
    y_pred = clf.predict(X_test)
    sizes = "-".join(str(w.shape[0]) for w in clf.coefs_) + f"-{clf.n_outputs_}"
    print(f"Network: {sizes} ({type(clf.layers_[1]).__name__} hidden units)")
    print(
        f"Data: {len(X_fit) + len(X_test)} digits; trained on "
        f"{round(len(X_fit) * (1 - clf.validation_fraction))}, validated on the rest of "
        f"{len(X_fit)}, tested on {len(X_test)}"
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
    return 0

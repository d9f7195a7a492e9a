"""Profile fitting of the tutorial net (scenario 1) with cProfile.

Shows where an epoch of the 64-20-20-10 logistic network spends its time,
to guide optimisation. Example::

    python benchmarks/profile_tutorial.py --lib skmlp --epochs 50 --top 25
"""

import argparse
import cProfile
import io
import pstats

from _harness import estimator_class, fit_quietly, params, timed_fit, tutorial_data
from threadpoolctl import threadpool_limits


def profile_fit(lib, epochs, top, sort):
    """Time and profile a fixed-epoch fit of the tutorial net.

    Parameters
    ----------
    lib : {"skmlp", "sklearn"}
        Library to profile.
    epochs : int
        Number of epochs.
    top : int
        Number of functions to list.
    sort : str
        :mod:`pstats` sort key, e.g. ``"tottime"`` or ``"cumulative"``.

    Returns
    -------
    str
        Time per epoch without the profiler, then the profile listing.
    """
    data = tutorial_data()
    X, y = data["X_train"], data["y_train"]
    cls, fit_params = estimator_class(lib), params(lib, epochs)

    def make():
        return cls(**fit_params)

    fit_quietly(make(), X, y)  # warm-up
    sample, _ = timed_fit(make(), X, y)
    profiler = cProfile.Profile()
    estimator = make()
    profiler.enable()
    fit_quietly(estimator, X, y)
    profiler.disable()
    out = io.StringIO()
    out.write(
        f"{lib}: {epochs} epochs, {sample['epoch_cpu'] * 1e3:.2f} ms CPU per epoch "
        f"without the profiler ({X.shape[0]} rows, batch 25: "
        f"{-(-X.shape[0] // 25)} minibatches per epoch)\n"
    )
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(top)
    return out.getvalue()


def main(argv=None):
    """Parse the command line and print the profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", choices=("skmlp", "sklearn"), default="skmlp")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    with threadpool_limits(args.threads):
        print(profile_fit(args.lib, args.epochs, args.top, args.sort))


if __name__ == "__main__":
    main()

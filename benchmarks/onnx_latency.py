"""Latency of ``predict_proba``: skmlp, scikit-learn and their ONNX graphs in onnxruntime.

The same network (the tutorial's 64-20-20-10 logistic net by default, or
``--hidden``/``--activation``) is trained in float32 by skmlp and by
scikit-learn's ``MLPClassifier``; both are exported with skl2onnx (skmlp's
converter from ``skmlp.onnx``, scikit-learn's own) and run in onnxruntime.
Each contender predicts probabilities for 1 row (the serving case: one
request) and for 10,000 rows (a batch). BLAS and onnxruntime use one thread;
the calls are repeated, interleaved in rotating order, and the medians are
reported. Needs the ``onnx`` and ``benchmarks`` extras. Example::

    python benchmarks/onnx_latency.py
    python benchmarks/onnx_latency.py --hidden 256 256 --activation relu
"""

import argparse
import statistics
import time

import numpy as np
from _env import collect_environment, machine_line
from _harness import (
    estimator_class,
    fit_quietly,
    import_skmlp,
    interleaved,
    params,
    tile_rows,
    tutorial_data,
)
from threadpoolctl import threadpool_limits

BATCH_ROWS = 10_000


def _session(onx):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(
        onx.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def _onnx_proba(estimator, X):
    """A function returning onnxruntime's probabilities for ``X``, and the session."""
    from skl2onnx import to_onnx

    onx = to_onnx(estimator, X[:1], options={"zipmap": False})
    session = _session(onx)
    name = session.get_inputs()[0].name
    proba = [o.name for o in session.get_outputs()][1]
    return lambda rows: session.run([proba], {name: rows})[0]


def _per_call(fn, X, n_calls):
    """Median seconds per call over ``n_calls`` back-to-back calls on ``X``."""
    start = time.perf_counter()
    for _ in range(n_calls):
        fn(X)
    return (time.perf_counter() - start) / n_calls


def measure(hidden, activation, repeats, single_calls):
    """Fit both libraries, export both, and time all four contenders.

    Returns
    -------
    rows : list of tuple
        ``(name, seconds for 1 row, seconds for 10,000 rows)``, medians.
    diffs : dict of str to float
        Largest difference of each ONNX graph's probabilities from its library's.
    """
    skmlp, message = import_skmlp()
    if skmlp is None:
        raise SystemExit(message)
    import skmlp.onnx  # registers the skmlp converters with skl2onnx

    data = tutorial_data()
    X_train = data["X_train"].astype(np.float32)
    overrides = {"max_iter": 30}
    if hidden is not None:
        overrides.update(hidden_layer_sizes=tuple(hidden))
    if activation is not None:
        overrides.update(activation=activation)
    models = {
        lib: fit_quietly(estimator_class(lib)(**params(lib, **overrides)), X_train, data["y_train"])
        for lib in ("skmlp", "sklearn")
    }
    X_one = np.ascontiguousarray(data["X_test"][:1], dtype=np.float32)
    X_batch = tile_rows(data["X_test"].astype(np.float32), BATCH_ROWS)
    functions = {
        "skmlp": models["skmlp"].predict_proba,
        "sklearn": models["sklearn"].predict_proba,
        "onnxruntime, skmlp graph": _onnx_proba(models["skmlp"], X_one),
        "onnxruntime, sklearn graph": _onnx_proba(models["sklearn"], X_one),
    }
    diffs = {
        name: float(np.abs(functions[name](X_batch) - functions[lib](X_batch)).max())
        for name, lib in [
            ("onnxruntime, skmlp graph", "skmlp"),
            ("onnxruntime, sklearn graph", "sklearn"),
        ]
    }
    for fn in functions.values():  # warm up caches, allocators and lazy imports
        fn(X_one)
        fn(X_batch)
    tasks = {}
    for name, fn in functions.items():
        tasks[name] = lambda fn=fn: {
            "one": _per_call(fn, X_one, single_calls),
            "batch": _per_call(fn, X_batch, 1),
        }
    errors = {}
    samples = interleaved(tasks, repeats, errors, required=("sklearn",))
    rows = [
        (
            name,
            statistics.median(s["one"] for s in samples[name]),
            statistics.median(s["batch"] for s in samples[name]),
        )
        for name in functions
        if samples[name]
    ]
    shape = [X_train.shape[1], *models["skmlp"].hidden_layer_sizes, len(models["skmlp"].classes_)]
    return rows, diffs, "-".join(map(str, shape)), models["skmlp"].activation


def _table(rows, diffs, network, activation):
    skmlp_one, skmlp_batch = rows[0][1], rows[0][2]
    lines = [
        f"predict_proba latency, {network} {activation} network, float32, medians",
        "",
        "| contender | 1 row (µs) | x skmlp | 10,000 rows (ms) | x skmlp | max abs diff |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, one, batch in rows:
        diff = f"{diffs[name]:.1e}" if name in diffs else ""
        lines.append(
            f"| {name} | {one * 1e6:.1f} | {one / skmlp_one:.2f} | {batch * 1e3:.2f} "
            f"| {batch / skmlp_batch:.2f} | {diff} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hidden", type=int, nargs="+", help="hidden layer widths")
    parser.add_argument("--activation", choices=["identity", "logistic", "tanh", "relu"])
    parser.add_argument("--repeats", type=int, default=15, help="rounds (default 15)")
    parser.add_argument(
        "--single-calls", type=int, default=500, help="1-row calls per round (default 500)"
    )
    args = parser.parse_args(argv)
    with threadpool_limits(limits=1):
        rows, diffs, network, activation = measure(
            args.hidden, args.activation, args.repeats, args.single_calls
        )
        skmlp, _ = import_skmlp()
        env = collect_environment(1, skmlp)
    import onnxruntime
    import skl2onnx

    print(machine_line(env))
    print(f"onnxruntime {onnxruntime.__version__} (1 thread), skl2onnx {skl2onnx.__version__}")
    print()
    print(_table(rows, diffs, network, activation))


if __name__ == "__main__":
    main()

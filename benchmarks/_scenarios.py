"""The scenarios: tutorial net, large net, prediction, scaling, early stopping, threading, family.

Each takes the run's :class:`_harness.Settings` and the libraries to measure
(``"sklearn"`` and, if importable, ``"skmlp"``) and returns a
:class:`_harness.Scenario`.
"""

import os
import time
import traceback
import warnings

from _gemm import GemmEpoch
from _harness import (
    NAN2,
    Clock,
    Scenario,
    estimator_class,
    fit_quietly,
    interleaved,
    median_of,
    params,
    quantiles,
    regressor_class,
    relu_params,
    teacher_data,
    tile_rows,
    timed_fit,
    times_of,
    tutorial_data,
    tutorial_module,
)
from _report import fmt_bytes, fmt_ratio, fmt_time, fmt_times, make_check, ratio, time_check
from _worker import worker_task
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

#: The large net of scenarios 2 and 6: 784-512-256-10 ReLU, batch 256.
N_FEATURES, LARGE_HIDDEN, LARGE_BATCH = 784, (512, 256), 256


def _fit_task(lib, fit_params, X, y):
    """A task for :func:`_harness.interleaved` timing one fit, with its final loss."""
    cls = estimator_class(lib)

    def task():
        sample, estimator = timed_fit(cls(**fit_params), X, y)
        sample["final_loss"] = float(estimator.loss_curve_[-1])
        return sample

    return task


def _fit_each(libs, make_params, X, y, errors):
    """Fit each library once (warm-up, or a model to use); a failing skmlp is recorded."""
    models = {}
    for lib in libs:
        try:
            models[lib] = fit_quietly(estimator_class(lib)(**make_params(lib)), X, y)
        except Exception:
            if lib == "sklearn":
                raise
            errors[lib] = traceback.format_exc()
    return models


def _vs(a, b):
    """CPU ratio of two ``(cpu, wall)`` times, formatted."""
    return fmt_ratio(ratio(a[0], b[0]))


def tutorial(settings, libs):
    """Scenario 1: time per epoch of the 64-20-20-10 tutorial network."""
    epochs, repeats = settings.pick(20, 5), settings.n_repeats(7, 3)
    data = tutorial_data()
    X, y = data["X_train"], data["y_train"]
    sc = Scenario(
        "1. Tutorial net: digits 64-20-20-10 logistic, batch 25, SGD 0.1",
        f"{X.shape[0]} training rows of raw digits pixels (the 75% of the tutorial "
        f"fit set an early-stopped fit trains on), the tutorial settings of "
        f"`skmlp.datasets`, {epochs} epochs without early stopping, {repeats} "
        "repeats; time per epoch = fit time / epochs.",
        {"n_samples": X.shape[0], "epochs": epochs, "repeats": repeats},
    )
    _fit_each(libs, lambda lib: params(lib, 1), X, y, sc.errors)
    tp = tutorial_module().TUTORIAL_PARAMS
    gemm = GemmEpoch(X, tp["hidden_layer_sizes"], 10, tp["batch_size"])
    tasks = {"gemm": lambda: gemm.sample(epochs)}
    tasks.update({lib: _fit_task(lib, params(lib, epochs), X, y) for lib in libs})
    sc.raw = interleaved(tasks, repeats, sc.errors)
    times = sc.epoch_metrics(sc.raw, wall=True)
    rows = []
    for name in ("skmlp", "sklearn", "gemm"):
        if name in times:
            loss = median_of(sc.raw[name], "final_loss")
            t = times[name]
            rows.append(
                (
                    name,
                    fmt_times(*t),
                    _vs(t, times["gemm"]),
                    _vs(t, times["sklearn"]),
                    f"{loss:.4f}" if loss == loss else "",
                )
            )
    sc.table(
        "Time per epoch (CPU / wall), CPU ratios",
        ("library", "time/epoch", "vs GEMM", "vs sklearn", "final train loss"),
        rows,
    )
    mine = times.get("skmlp", NAN2)
    sc.checks.append(
        time_check("1 tutorial time/epoch vs sklearn", mine, times["sklearn"], "<=", 0.30)
    )
    return sc


def _paired_ratio(samples):
    """Median over fit samples of time per epoch over the fit's own GEMM bound: (cpu, wall)."""
    paired = [s for s in samples if "gemm_epoch_cpu" in s]
    cpu = [{"r": s["epoch_cpu"] / s["gemm_epoch_cpu"]} for s in paired]
    wall = [{"r": s["epoch_wall"] / s["gemm_epoch_wall"]} for s in paired]
    return median_of(cpu, "r"), median_of(wall, "r")


def large(settings, libs):
    """Scenario 2: the large ReLU net, float64 and float32, time and memory.

    Every fit runs in a fresh subprocess (one per library, dtype and repeat)
    that measures its peak extra RSS; the GEMM bound also runs in this process.
    """
    n_samples, epochs = settings.pick(60_000, 15_000), settings.pick(2, 1)
    repeats = settings.n_repeats(5, 1)
    sc = Scenario(
        "2. Large net: 784-512-256-10 ReLU, batch 256, SGD",
        f"Synthetic {n_samples} x {N_FEATURES} uniform data, 10 classes from a "
        f"random linear teacher; {epochs} epoch(s), {repeats} repeat(s), each fit "
        "in a fresh subprocess; peak extra memory = peak RSS during the fit minus RSS "
        "after the data was created (judged), and the tracemalloc peak of a second, "
        "untimed fit in the same process (shown as `traced`). The GEMM bound is "
        "timed in this process (`gemm` rows) and in every fit's subprocess just "
        "before and just after the fit: `vs GEMM paired` is the median over repeats "
        "of each fit's ratio to the mean of its own two bounds (judged: both sides of each ratio "
        "share one process and one phase of the noisy machine).",
        {
            "n_samples": n_samples,
            "n_features": N_FEATURES,
            "hidden_layer_sizes": LARGE_HIDDEN,
            "batch_size": LARGE_BATCH,
            "epochs": epochs,
            "repeats": repeats,
        },
    )
    bound = {"hidden_layer_sizes": list(LARGE_HIDDEN), "n_outputs": 10}
    bound["batch_size"] = LARGE_BATCH
    dtypes = ("float64", "float32")
    times, memory, traced, paired = {}, {}, {}, {}
    for dtype in dtypes:
        X, _ = teacher_data(n_samples, N_FEATURES, dtype=dtype)
        gemm = GemmEpoch(X, LARGE_HIDDEN, 10, LARGE_BATCH)
        data = {"n_samples": n_samples, "n_features": N_FEATURES, "dtype": dtype}
        tasks = {"gemm": gemm.sample}
        for lib in libs:
            fit_params = relu_params(lib, epochs, LARGE_HIDDEN, LARGE_BATCH)
            tasks[lib] = worker_task("fit", lib, settings.threads, data, fit_params, gemm=bound)
        errors = {}
        raw = interleaved(tasks, repeats, errors)
        del X, gemm
        sc.errors.update({f"{lib} {dtype}": e for lib, e in errors.items()})
        sc.raw[dtype] = raw
        for name, t in sc.epoch_metrics(raw, f" {dtype}").items():
            times[name, dtype] = t
            if name == "gemm":
                continue
            samples = raw[name]
            paired[name, dtype] = _paired_ratio(samples)
            memory[name, dtype] = median_of(samples, "extra")
            traced[name, dtype] = median_of(samples, "traced_peak")
            sc.metric(f"vs_gemm_paired {name} {dtype}", paired[name, dtype][0], "ratio")
            sc.metric(f"peak_extra {name} {dtype}", memory[name, dtype], "B")
            sc.metric(f"traced_peak {name} {dtype}", traced[name, dtype], "B")

    rows = []
    for dtype in dtypes:
        for name in ("skmlp", "sklearn", "gemm"):
            if (name, dtype) in times:
                t, key = times[name, dtype], (name, dtype)
                rows.append(
                    (
                        dtype,
                        name,
                        fmt_times(*t),
                        _vs(t, times["gemm", dtype]),
                        fmt_ratio(paired.get(key, NAN2)[0]),
                        _vs(t, times["sklearn", dtype]),
                        fmt_bytes(memory.get(key)),
                        fmt_bytes(traced.get(key)),
                    )
                )
    sc.table(
        "Time per epoch (CPU / wall), CPU ratios, medians of peak extra memory of fit",
        [
            "dtype",
            "library",
            "time/epoch",
            "vs GEMM",
            "vs GEMM paired",
            "vs sklearn",
            "peak extra RSS",
            "tracemalloc peak",
        ],
        rows,
    )
    for dtype in dtypes:
        mine, gemm_time = times.get(("skmlp", dtype), NAN2), times["gemm", dtype]
        sc.checks.append(
            make_check(
                f"2 large {dtype} time/epoch vs GEMM bound (paired)",
                *paired.get(("skmlp", dtype), NAN2),
                "<=",
                1.10,
                fmt_times(*mine),
                f"GEMM {fmt_times(*gemm_time)}; unpaired {_vs(mine, gemm_time)}",
            )
        )
    speedups = {}
    for name in ("skmlp", "sklearn", "gemm"):
        t64, t32 = times.get((name, "float64"), NAN2), times.get((name, "float32"), NAN2)
        speedups[name] = ratio(t64[0], t32[0]), ratio(t64[1], t32[1])
        sc.metric(f"float32 speed-up {name}", speedups[name][0], "ratio")
    sc.checks.append(
        make_check(
            "2 large float32 speed-up over float64 (skmlp)",
            *speedups["skmlp"],
            ">=",
            1.8,
            f"{fmt_ratio(speedups['skmlp'][0])} faster",
            f"sklearn {fmt_ratio(speedups['sklearn'][0])}, GEMM {fmt_ratio(speedups['gemm'][0])}",
        )
    )
    for dtype in dtypes:
        mine, ref = memory.get(("skmlp", dtype)), memory.get(("sklearn", dtype))
        r = ratio(mine, ref)
        sc.checks.append(
            make_check(
                f"2 large {dtype} peak extra fit memory vs sklearn",
                r,
                r,
                "<=",
                0.5,
                f"{fmt_bytes(mine)} (traced {fmt_bytes(traced.get(('skmlp', dtype)))})",
                f"{fmt_bytes(ref)} (traced {fmt_bytes(traced.get(('sklearn', dtype)))})",
            )
        )
    return sc


def _latencies(predict, X, n_calls):
    """CPU and wall seconds of each of ``n_calls`` calls of ``predict(X)``."""
    cpu, wall = [], []
    for _ in range(n_calls):
        c0, w0 = time.process_time(), time.perf_counter()
        predict(X)
        w1, c1 = time.perf_counter(), time.process_time()
        cpu.append(c1 - c0)
        wall.append(w1 - w0)
    return cpu, wall


def prediction(settings, libs):
    """Scenario 3: ``predict_proba`` on 1 row, 10,000 rows and 1,000,000 rows.

    The 1-row and 10,000-row cases use the tutorial model (20 epochs on the
    tutorial training rows); the 1,000,000 x 100 case runs in a fresh
    subprocess per library, with a tutorial-settings model fitted 5 epochs
    on 2,000 rows of the synthetic data.
    """
    n_calls, block, n_many = settings.pick(2000, 300), 100, 10_000
    repeats_many = settings.n_repeats(30, 5)
    n_big, repeats_big = settings.pick(1_000_000, 200_000), settings.pick(2, 1)
    sc = Scenario(
        "3. Prediction: predict_proba latency and memory",
        f"1 row: median of {n_calls} single calls (blocks of {block} calls "
        f"alternating between libraries); {n_many} rows (digits tiled): median of "
        f"{repeats_many} calls; {n_big} x 100 float64 rows: one call in a fresh "
        f"subprocess per library ({repeats_big} repeat(s)), peak extra RSS during "
        "the call, and the tracemalloc peak of a second call.",
        {
            "n_calls_one_row": n_calls,
            "n_rows_many": n_many,
            "repeats_many": repeats_many,
            "n_rows_big": n_big,
            "repeats_big": repeats_big,
        },
    )
    data = tutorial_data()
    X_train = data["X_train"]
    fit_errors = {}  # the subprocess case below runs all the same
    models = _fit_each(libs, lambda lib: params(lib, 20), X_train, data["y_train"], fit_errors)
    sc.errors.update({f"{lib} fit": error for lib, error in fit_errors.items()})

    # 1 row: blocks of calls, the libraries alternating.
    X_row = data["X_test"][:1]
    latencies = {lib: ([], []) for lib in models}
    for model in models.values():  # warm-up
        _latencies(model.predict_proba, X_row, 20)

    def one_row(lib):
        def run():
            cpu, wall = _latencies(models[lib].predict_proba, X_row, block)
            latencies[lib][0].extend(cpu)
            latencies[lib][1].extend(wall)

        return run

    interleaved({lib: one_row(lib) for lib in models}, n_calls // block, sc.errors)
    sc.raw["one_row"] = {
        lib: {"cpu": quantiles(cpu), "wall": quantiles(wall)}
        for lib, (cpu, wall) in latencies.items()
        if cpu
    }
    one = {lib: (q["cpu"]["median"], q["wall"]["median"]) for lib, q in sc.raw["one_row"].items()}

    # 10,000 rows.
    X_many = tile_rows(X_train, n_many)

    def many_rows(lib):
        def run():
            with Clock() as clock:
                models[lib].predict_proba(X_many)
            return clock.sample()

        return run

    models[next(iter(models))].predict_proba(X_many)  # warm-up (page faults etc.)
    tasks = {lib: many_rows(lib) for lib in models}
    sc.raw["rows_10k"] = interleaved(tasks, repeats_many, sc.errors)
    many = {lib: times_of(s) for lib, s in sc.raw["rows_10k"].items() if s}

    # 1,000,000 rows, in subprocesses.
    data_big = {"n_samples": n_big, "n_features": 100, "dtype": "float64"}
    tasks = {
        lib: worker_task("predict", lib, settings.threads, data_big, params(lib, 5), fit_rows=2000)
        for lib in libs
    }
    sc.raw["rows_big"] = interleaved(tasks, repeats_big, sc.errors)
    big = {
        lib: {
            "time": times_of(s),
            "extra": median_of(s, "extra"),
            "traced": median_of(s, "traced_peak"),
        }
        for lib, s in sc.raw["rows_big"].items()
        if s
    }

    for lib in libs:
        b = big.get(lib, {"time": NAN2})
        sc.metric(f"one_row_cpu {lib}", one.get(lib, NAN2)[0])
        sc.metric(f"rows_10k_cpu {lib}", many.get(lib, NAN2)[0])
        sc.metric(f"rows_big_cpu {lib}", b["time"][0])
        sc.metric(f"rows_big_peak_extra {lib}", b.get("extra", float("nan")), "B")
    rows = []
    for lib in libs:
        b = big.get(lib, {"time": NAN2})
        rows.append(
            (
                lib,
                fmt_times(*one.get(lib, NAN2)),
                fmt_times(*many.get(lib, NAN2)),
                fmt_times(*b["time"]),
                fmt_bytes(b.get("extra")),
                fmt_bytes(b.get("traced")),
            )
        )
    sc.table(
        "Median times (CPU / wall) and memory",
        [
            "library",
            "1 row",
            f"{n_many} rows",
            f"{n_big} rows",
            f"peak extra RSS ({n_big} rows)",
            "tracemalloc peak",
        ],
        rows,
    )
    sc.checks.append(
        time_check(
            "3 predict_proba 1 row latency vs sklearn",
            one.get("skmlp", NAN2),
            one["sklearn"],
            "<=",
            0.25,
        )
    )
    sc.checks.append(
        time_check(
            f"3 predict_proba {n_many} rows vs sklearn",
            many.get("skmlp", NAN2),
            many["sklearn"],
            "<=",
            0.70,
        )
    )
    mine, ref = big.get("skmlp", {"time": NAN2}), big["sklearn"]
    r = ratio(mine.get("extra"), ref["extra"])
    sc.checks.append(
        make_check(
            f"3 predict_proba {n_big} x 100 peak extra memory vs sklearn",
            r,
            r,
            None,
            None,
            f"{fmt_bytes(mine.get('extra'))} ({fmt_time(mine['time'][0])})",
            f"{fmt_bytes(ref['extra'])} ({fmt_time(ref['time'][0])})",
        )
    )
    return sc


def scaling(settings, libs):
    """Scenario 4: time per epoch against sample count and hidden width (no targets)."""
    n_list = settings.pick((10_000, 20_000, 40_000), (5_000, 10_000, 20_000))
    widths = settings.pick((32, 64, 128, 256, 512), (32, 128, 512))
    n_width, epochs = settings.pick(20_000, 10_000), settings.pick(2, 1)
    repeats, batch = settings.n_repeats(3, 1), 256
    sc = Scenario(
        "4. Scaling: 784-H-10 ReLU, batch 256, SGD",
        f"Time per epoch against n_samples (H=128) and against H "
        f"(n_samples={n_width}); synthetic data as in 2, float64, {epochs} "
        f"epoch(s), {repeats} repeat(s).",
        {
            "n_samples": n_list,
            "widths": widths,
            "n_samples_for_widths": n_width,
            "epochs": epochs,
            "repeats": repeats,
        },
    )
    X_all, y_all = teacher_data(max(*n_list, n_width), N_FEATURES)
    cases = [("n_samples", n, n, 128) for n in n_list]
    cases += [("width", w, n_width, w) for w in widths]
    warm = lambda lib: relu_params(lib, 1, (128,), batch)  # noqa: E731
    _fit_each(libs, warm, X_all[:2000], y_all[:2000], {})
    rows, failed = [], set()
    for axis, value, n, width in cases:
        X, y = X_all[:n], y_all[:n]
        gemm = GemmEpoch(X, (width,), 10, batch)
        tasks = {"gemm": lambda gemm=gemm: gemm.sample(epochs)}
        for lib in libs:
            if lib not in failed:
                tasks[lib] = _fit_task(lib, relu_params(lib, epochs, (width,), batch), X, y)
        key = f"{axis}={value}"
        errors = {}
        sc.raw[key] = interleaved(tasks, repeats, errors)
        sc.errors.update({f"{lib} {key}": e for lib, e in errors.items()})
        failed.update(errors)  # not retried in the later cases
        times = sc.epoch_metrics(sc.raw[key], f" {key}")
        mine, ref, bound = times.get("skmlp", NAN2), times["sklearn"], times["gemm"]
        rows.append(
            (
                axis,
                value,
                fmt_times(*mine),
                fmt_times(*ref),
                fmt_times(*bound),
                _vs(mine, ref),
                _vs(mine, bound),
                _vs(ref, bound),
            )
        )
    sc.table(
        "Time per epoch (CPU / wall), CPU ratios",
        [
            "axis",
            "value",
            "skmlp",
            "sklearn",
            "GEMM bound",
            "skmlp/sklearn",
            "skmlp/GEMM",
            "sklearn/GEMM",
        ],
        rows,
    )
    return sc


def early_stopping(settings, libs):
    """Scenario 5: the tutorial task with early stopping, fit time and test accuracy.

    Both libraries run the tutorial settings of ``skmlp.datasets``, fitted
    on the fit set (80%) of ``load_tutorial_digits`` and scored on its test
    set (20%), once per seed.
    """
    seeds = list(range(settings.n_repeats(5, 2)))
    # every seed fitted several times: the fit time of a seed is the median
    # of its fits, so that one slow phase of the machine moves one sample only
    rounds = settings.pick(3, 1)
    data = tutorial_data()
    X, y, X_test, y_test = data["X_fit"], data["y_fit"], data["X_test"], data["y_test"]
    sc = Scenario(
        "5. Tutorial task with early stopping: fit time and test accuracy",
        f"skmlp `MLPLayerClassifier(**TUTORIAL_PARAMS, random_state=s)` vs sklearn "
        f"`MLPClassifier(**TUTORIAL_SKLEARN_PARAMS, random_state=s)` (`skmlp.datasets`: "
        "(20, 20) logistic, sgd 0.1, momentum 0, batch 25, alpha 0, early_stopping=True, "
        "validation_fraction=0.25, n_iter_no_change=6, max_iter=300); fit on "
        f"{X.shape[0]} rows, test on {X_test.shape[0]}; each seed fitted {rounds} times "
        f"(interleaved), its fit time the median of those; medians over seeds {seeds}.",
        {"seeds": seeds, "rounds": rounds, "n_fit": X.shape[0], "n_test": X_test.shape[0]},
    )
    order = [seed for seed in seeds for _ in range(rounds)]
    counters = {lib: iter(order) for lib in libs}

    def task(lib):
        def run():
            seed = next(counters[lib])
            sample, estimator = timed_fit(
                estimator_class(lib)(**params(lib, random_state=seed)), X, y
            )
            accuracy = float(estimator.score(X_test, y_test))
            return {"seed": seed, **sample, "accuracy": accuracy}

        return run

    sc.raw = interleaved({lib: task(lib) for lib in libs}, len(order), sc.errors)
    keys = ("cpu", "wall", "n_iter", "accuracy")
    per_seed = {
        lib: [
            {k: median_of([x for x in samples if x["seed"] == seed], k) for k in keys}
            for seed in seeds
            if any(x["seed"] == seed for x in samples)
        ]
        for lib, samples in sc.raw.items()
    }
    summary = {lib: {k: median_of(s, k) for k in keys} for lib, s in per_seed.items()}
    for lib, s in summary.items():
        sc.metric(f"fit_cpu {lib}", s["cpu"])
        sc.metric(f"accuracy {lib}", s["accuracy"], "acc")
        sc.metric(f"n_iter {lib}", s["n_iter"], "epochs")
    sc.table(
        "Medians over seeds (fit time CPU / wall)",
        ("library", "fit time", "epochs", "test accuracy", "accuracies"),
        [
            (
                lib,
                fmt_times(s["cpu"], s["wall"]),
                f"{s['n_iter']:g}",
                f"{s['accuracy']:.4f}",
                ", ".join(f"{x['accuracy']:.3f}" for x in per_seed[lib]),
            )
            for lib, s in summary.items()
        ],
    )
    mine = summary.get("skmlp", dict.fromkeys(keys, float("nan")))
    ref = summary["sklearn"]
    mine_t, ref_t = (mine["cpu"], mine["wall"]), (ref["cpu"], ref["wall"])
    sc.checks.append(
        time_check(
            "5 early-stopping fit time vs sklearn (and accuracy >= sklearn)",
            mine_t,
            ref_t,
            "<=",
            0.60,
            skmlp=f"{fmt_times(*mine_t)}, acc {mine['accuracy']:.4f}",
            reference=f"{fmt_times(*ref_t)}, acc {ref['accuracy']:.4f}",
            extra_ok=mine["accuracy"] >= ref["accuracy"],
        )
    )
    if "skmlp" in summary:
        diff = mine["accuracy"] - ref["accuracy"]
        sc.metric("accuracy difference skmlp - sklearn", diff, "acc")
    return sc


def threaded(settings, libs):
    """Scenario 6: the large float64 net with BLAS on every core, as users run it.

    Reported, not judged: the targets are on one BLAS thread, but a second
    BLAS thread pool in the training loop (SciPy's, once used for the SGD
    step) made fits 3x slower only with several threads. ``--threads`` does
    not apply here.
    """
    threads = os.cpu_count() or 1
    n_samples, epochs = settings.pick(60_000, 15_000), 1
    repeats = settings.n_repeats(3, 1)
    sc = Scenario(
        f"6. Default threading: 784-512-256-10 ReLU with BLAS on {threads} threads",
        f"Synthetic {n_samples} x {N_FEATURES} float64 data as in 2; {epochs} epoch, "
        f"{repeats} repeat(s), each fit in a fresh subprocess with "
        f"OPENBLAS_NUM_THREADS={threads} (no memory tracing). Wall time is what "
        "matters here; CPU time counts every thread, spinning ones included.",
        {
            "n_samples": n_samples,
            "hidden_layer_sizes": LARGE_HIDDEN,
            "batch_size": LARGE_BATCH,
            "epochs": epochs,
            "repeats": repeats,
            "threads": threads,
        },
    )
    data = {"n_samples": n_samples, "n_features": N_FEATURES, "dtype": "float64"}
    tasks = {
        lib: worker_task(
            "fit",
            lib,
            threads,
            data,
            relu_params(lib, epochs, LARGE_HIDDEN, LARGE_BATCH),
            traced=False,
        )
        for lib in libs
    }
    sc.raw = interleaved(tasks, repeats, sc.errors, required=("sklearn",))
    times = sc.epoch_metrics(sc.raw, wall=True)
    ref = times["sklearn"]
    sc.table(
        "Time per epoch (CPU / wall) with BLAS on all cores",
        ["library", "time/epoch", "wall vs sklearn"],
        [(name, fmt_times(*t), fmt_ratio(ratio(t[1], ref[1]))) for name, t in times.items()],
    )
    sc.checks.append(
        time_check(
            f"6 large float64, BLAS on {threads} threads, time/epoch vs sklearn",
            times.get("skmlp", NAN2),
            ref,
            None,
            None,
        )
    )
    return sc


def family(settings, libs):
    """Scenario 7: L-BFGS on the tutorial net and on a regressor, and a regressor epoch.

    Each pair runs the same number of L-BFGS iterations or epochs (``tol=0``
    and a fixed ``max_iter``, checked below), so the time ratio compares the
    same work.
    """
    iterations = settings.pick(100, 20)
    epochs = settings.pick(30, 5)
    repeats = settings.n_repeats(5, 2)
    n_rows = settings.pick(2000, 500)
    digits = tutorial_data()
    X_digits, y_digits = digits["X_fit"], digits["y_fit"]
    X_reg, y_reg = make_friedman1(n_samples=n_rows, noise=1.0, random_state=0)
    X_reg = StandardScaler().fit_transform(X_reg)
    sc = Scenario(
        "7. The MLP family: L-BFGS and the regressor",
        f"L-BFGS, {iterations} iterations (`tol=0`): the tutorial net (64-20-20-10 logistic) "
        f"on the {X_digits.shape[0]} digits of the fit set, and the default regressor "
        f"(100 ReLU units) on `make_friedman1(n_samples={n_rows}, noise=1)`, standardised; "
        f"the default regressor (adam, batch 200) for {epochs} epochs. "
        f"{repeats} repeats, interleaved.",
        {"iterations": iterations, "epochs": epochs, "repeats": repeats, "n_rows": n_rows},
    )
    lbfgs = {"solver": "lbfgs", "max_iter": iterations, "tol": 0.0, "random_state": 0}
    cases = {
        "lbfgs tutorial net": (
            estimator_class,
            lambda lib: {**params(lib), **lbfgs},
            X_digits,
            y_digits,
        ),
        "lbfgs regressor": (regressor_class, lambda lib: dict(lbfgs), X_reg, y_reg),
        "regressor epoch": (
            regressor_class,
            lambda lib: {
                "max_iter": epochs,
                "tol": 0.0,
                "n_iter_no_change": epochs + 1,
                "random_state": 0,
            },
            X_reg,
            y_reg,
        ),
    }
    rows = []
    for case, (cls_of, make, X, y) in cases.items():
        tasks = {}
        for lib in libs:

            def run(lib=lib, cls_of=cls_of, make=make, X=X, y=y):
                sample, estimator = timed_fit(cls_of(lib)(**make(lib)), X, y)
                sample["loss"] = float(estimator.loss_)
                return sample

            tasks[lib] = run
        raw = interleaved(tasks, repeats, sc.errors, required=("sklearn",))
        sc.raw[case] = raw
        summary = {
            lib: {k: median_of(s, k) for k in ("cpu", "wall", "n_iter", "loss")}
            for lib, s in raw.items()
        }
        ref = summary["sklearn"]
        mine = summary.get("skmlp", {"cpu": NAN2[0], "wall": NAN2[1], "n_iter": 0, "loss": NAN2[0]})
        same_work = mine["n_iter"] == ref["n_iter"]
        for lib, s in summary.items():
            sc.metric(f"{case} cpu {lib}", s["cpu"])
            rows.append(
                (case, lib, fmt_times(s["cpu"], s["wall"]), f"{s['n_iter']:g}", f"{s['loss']:.6g}")
            )
        sc.checks.append(
            time_check(
                f"7 {case}, fit time vs sklearn (same iterations)",
                (mine["cpu"], mine["wall"]),
                (ref["cpu"], ref["wall"]),
                "<=",
                0.6,
                extra_ok=same_work,
            )
        )
    sc.table(
        "Medians over repeats (fit time CPU / wall)",
        ("case", "library", "fit time", "iterations / epochs", "final loss"),
        rows,
    )
    _cv_r2(sc, libs)
    return sc


def _cv_r2(sc, libs):
    """Default regressors in a StandardScaler pipeline: 5-fold CV R² on two data sets."""
    data = {
        "diabetes": load_diabetes(return_X_y=True),
        "friedman1": make_friedman1(n_samples=2000, noise=1.0, random_state=0),
    }
    rows = []
    for name, (X, y) in data.items():
        scores = {}
        for lib in libs:
            model = make_pipeline(StandardScaler(), regressor_class(lib)(random_state=0))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                scores[lib] = float(cross_val_score(model, X, y, cv=5).mean())
            sc.metric(f"cv r2 {name} {lib}", scores[lib], "r2")
            rows.append((name, lib, f"{scores[lib]:.4f}"))
        mine = scores.get("skmlp", float("nan"))
        sc.checks.append(
            make_check(
                f"7 default regressor, 5-fold CV R² on {name}, skmlp - sklearn",
                mine - scores["sklearn"],
                mine - scores["sklearn"],
                ">=",
                -0.02,
                f"{mine:.4f}",
                f"{scores['sklearn']:.4f}",
            )
        )
    sc.table(
        "Default MLPRegressor / MLPLayerRegressor (random_state=0) after StandardScaler, "
        "mean 5-fold CV R²",
        ("data", "library", "R²"),
        rows,
    )


SCENARIOS = {
    "tutorial": tutorial,
    "large": large,
    "predict": prediction,
    "scaling": scaling,
    "early_stopping": early_stopping,
    "threaded": threaded,
    "family": family,
}

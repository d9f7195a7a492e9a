"""Training scenarios: tutorial net, large net, scaling, early stopping, threading."""

import os

import numpy as np
from _cases import Scenario, epoch_summary, times_cell, vs
from _data import digits_split, teacher_data
from _gemm import GemmEpoch
from _models import estimator_class, factory, relu_sgd_params, tutorial_params
from _report import fmt_bytes, fmt_ratio, make_check, ratio
from _timing import Clock, fit_quietly, interleaved, median_of, timed_fit
from _worker import run_worker


def _fit_task(lib, params, X, y):
    """A task for :func:`_timing.interleaved` that times one fixed-epoch fit."""
    make = factory(lib, params)

    def task():
        sample, estimator = timed_fit(make, X, y)
        sample["final_loss"] = float(estimator.loss_curve_[-1])
        return sample

    return task


def _warm_up(libs, params, X, y, errors):
    """Fit each library once for one epoch (lazy imports, first calls)."""
    for lib in libs:
        try:
            fit_quietly(factory(lib, {**params, "max_iter": 1})(), X, y)
        except Exception as exc:
            if lib == "sklearn":
                raise
            errors[lib] = f"warm-up fit failed: {type(exc).__name__}: {exc}"


def tutorial(settings, libs):
    """Scenario 1: time per epoch of the 64-20-20-10 tutorial network.

    Parameters
    ----------
    settings : _cases.Settings
        Run options.
    libs : sequence of str
        Libraries to measure (``"sklearn"`` and, if importable, ``"skmlp"``).

    Returns
    -------
    _cases.Scenario
        Samples, metrics, checks and tables.
    """
    epochs = settings.pick(20, 5)
    repeats = settings.n_repeats(7, 3)
    data = digits_split()
    X, y = data["X_train"], data["y_train"]
    sc = Scenario(
        "1. Tutorial net: digits 64-20-20-10 logistic, batch 25, SGD 0.1",
        f"{X.shape[0]} training rows of raw digits pixels, {epochs} epochs without "
        f"early stopping, {repeats} repeats; time per epoch = fit time / epochs.",
        {"n_samples": X.shape[0], "epochs": epochs, "repeats": repeats},
    )
    params = tutorial_params(epochs)
    _warm_up(libs, params, X, y, sc.errors)
    gemm = GemmEpoch(X, (20, 20), 10, 25)
    tasks = {"gemm": lambda: gemm.sample(epochs)}
    tasks.update({lib: _fit_task(lib, params, X, y) for lib in libs})
    sc.raw = interleaved(tasks, repeats, sc.errors)
    times = {name: epoch_summary(s) for name, s in sc.raw.items()}
    for name, (cpu, wall) in times.items():
        sc.metric(f"epoch_cpu {name}", cpu)
        sc.metric(f"epoch_wall {name}", wall)
    rows = []
    for name in ("skmlp", "sklearn", "gemm"):
        if name not in times:
            continue
        loss = median_of(sc.raw[name], "final_loss")
        rows.append(
            (
                name,
                times_cell(times[name]),
                fmt_ratio(vs(times[name], times["gemm"])[0]),
                fmt_ratio(vs(times[name], times["sklearn"])[0]),
                f"{loss:.4f}" if loss == loss else "",
            )
        )
    sc.table(
        "Time per epoch (CPU / wall), CPU ratios",
        ("library", "time/epoch", "vs GEMM", "vs sklearn", "final train loss"),
        rows,
    )
    sk = times.get("skmlp", (float("nan"),) * 2)
    sc.checks.append(
        make_check(
            "1 tutorial time/epoch vs sklearn",
            *vs(sk, times["sklearn"]),
            "<=",
            0.30,
            times_cell(sk),
            times_cell(times["sklearn"]),
        )
    )
    return sc


def paired_ratio(samples):
    """Median over fit samples of the fit's time per epoch over its own GEMM bound.

    Parameters
    ----------
    samples : list of dict
        Worker results with ``epoch_cpu``/``epoch_wall`` and
        ``gemm_epoch_cpu``/``gemm_epoch_wall``.

    Returns
    -------
    cpu, wall : float
        Median ratios (NaN without samples).
    """
    pairs = [
        (s["epoch_cpu"] / s["gemm_epoch_cpu"], s["epoch_wall"] / s["gemm_epoch_wall"])
        for s in samples
        if "gemm_epoch_cpu" in s
    ]
    if not pairs:
        return float("nan"), float("nan")
    cpu, wall = zip(*pairs, strict=True)
    return float(np.median(cpu)), float(np.median(wall))


def large(settings, libs):
    """Scenario 2: large ReLU net, float64 and float32, time and memory.

    Every fit runs in a fresh subprocess (one per library, dtype and repeat)
    that measures its peak extra RSS; the GEMM bound runs in this process.

    Parameters
    ----------
    settings : _cases.Settings
        Run options.
    libs : sequence of str
        Libraries to measure.

    Returns
    -------
    _cases.Scenario
        Samples, metrics, checks and tables.
    """
    n_samples = settings.pick(60_000, 15_000)
    n_features, hidden, batch = 784, (512, 256), 256
    epochs = settings.pick(2, 1)
    repeats = settings.n_repeats(5, 1)
    sc = Scenario(
        "2. Large net: 784-512-256-10 ReLU, batch 256, SGD",
        f"Synthetic {n_samples} x {n_features} uniform data, 10 classes from a "
        f"random linear teacher; {epochs} epoch(s), {repeats} repeat(s), each fit "
        "in a fresh subprocess; peak extra memory = peak RSS during the fit minus RSS "
        "after the data was created (judged), and the tracemalloc peak of a second, "
        "untimed fit in the same process (shown as `traced`). The GEMM bound is "
        "timed in this process (`gemm` rows) and, once more, in every fit's "
        "subprocess just before the fit: `vs GEMM paired` is the median over repeats "
        "of each fit's ratio to its own bound (judged: both sides of each ratio "
        "share one process and one phase of the noisy machine).",
        {
            "n_samples": n_samples,
            "n_features": n_features,
            "hidden_layer_sizes": hidden,
            "batch_size": batch,
            "epochs": epochs,
            "repeats": repeats,
        },
    )
    params = relu_sgd_params(epochs, hidden, batch)
    times, memory, traced, paired = {}, {}, {}, {}
    for dtype in ("float64", "float32"):
        X, _ = teacher_data(n_samples, n_features, dtype=np.dtype(dtype).type)
        gemm = GemmEpoch(X, hidden, 10, batch)
        tasks = {"gemm": gemm.sample}
        for lib in libs:
            spec = {
                "task": "fit",
                "lib": lib,
                "threads": settings.threads,
                "data": {
                    "n_samples": n_samples,
                    "n_features": n_features,
                    "dtype": dtype,
                },
                "params": params,
                "gemm": {
                    "hidden_layer_sizes": list(hidden),
                    "n_outputs": 10,
                    "batch_size": batch,
                },
            }
            tasks[lib] = lambda spec=spec: run_worker(spec)
        errors = {}
        raw = interleaved(tasks, repeats, errors)
        del X, gemm
        sc.errors.update({f"{lib} {dtype}": e for lib, e in errors.items()})
        sc.raw[dtype] = raw
        for name, samples in raw.items():
            times[name, dtype] = epoch_summary(samples)
            sc.metric(f"epoch_cpu {name} {dtype}", times[name, dtype][0])
            if name != "gemm":
                paired[name, dtype] = paired_ratio(samples)
                sc.metric(f"vs_gemm_paired {name} {dtype}", paired[name, dtype][0], "ratio")
                memory[name, dtype] = median_of(samples, "extra")
                traced[name, dtype] = median_of(samples, "traced_peak")
                sc.metric(f"peak_extra {name} {dtype}", memory[name, dtype], "B")
                sc.metric(f"traced_peak {name} {dtype}", traced[name, dtype], "B")

    nan2 = (float("nan"), float("nan"))
    rows = []
    for dtype in ("float64", "float32"):
        for name in ("skmlp", "sklearn", "gemm"):
            if (name, dtype) not in times:
                continue
            t = times[name, dtype]
            rows.append(
                (
                    dtype,
                    name,
                    times_cell(t),
                    fmt_ratio(vs(t, times["gemm", dtype])[0]),
                    fmt_ratio(paired.get((name, dtype), nan2)[0]),
                    fmt_ratio(vs(t, times["sklearn", dtype])[0]),
                    fmt_bytes(memory.get((name, dtype))),
                    fmt_bytes(traced.get((name, dtype))),
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
    for dtype in ("float64", "float32"):
        sk = times.get(("skmlp", dtype), nan2)
        sc.checks.append(
            make_check(
                f"2 large {dtype} time/epoch vs GEMM bound (paired)",
                *paired.get(("skmlp", dtype), nan2),
                "<=",
                1.10,
                times_cell(sk),
                f"GEMM {times_cell(times['gemm', dtype])}; unpaired "
                f"{fmt_ratio(vs(sk, times['gemm', dtype])[0])}",
            )
        )
    speedups = {
        name: vs(times.get((name, "float64"), nan2), times.get((name, "float32"), nan2))
        for name in ("skmlp", "sklearn", "gemm")
    }
    for name, (cpu, _) in speedups.items():
        sc.metric(f"float32 speed-up {name}", cpu, "ratio")
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
    for dtype in ("float64", "float32"):
        mine, ref = memory.get(("skmlp", dtype)), memory.get(("sklearn", dtype))
        t_mine, t_ref = traced.get(("skmlp", dtype)), traced.get(("sklearn", dtype))
        r = ratio(mine, ref)
        sc.checks.append(
            make_check(
                f"2 large {dtype} peak extra fit memory vs sklearn",
                r,
                r,
                "<=",
                0.5,
                f"{fmt_bytes(mine)} (traced {fmt_bytes(t_mine)})",
                f"{fmt_bytes(ref)} (traced {fmt_bytes(t_ref)})",
            )
        )
    return sc


def scaling(settings, libs):
    """Scenario 4: time per epoch against sample count and hidden width.

    Parameters
    ----------
    settings : _cases.Settings
        Run options.
    libs : sequence of str
        Libraries to measure.

    Returns
    -------
    _cases.Scenario
        Samples, metrics and tables (no targets).
    """
    n_list = settings.pick((10_000, 20_000, 40_000), (5_000, 10_000, 20_000))
    widths = settings.pick((32, 64, 128, 256, 512), (32, 128, 512))
    n_width = settings.pick(20_000, 10_000)
    epochs = settings.pick(2, 1)
    repeats = settings.n_repeats(3, 1)
    n_features, batch = 784, 256
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
    X_all, y_all = teacher_data(max(*n_list, n_width), n_features)
    cases = [("n_samples", n, n, 128) for n in n_list]
    cases += [("width", w, n_width, w) for w in widths]
    _warm_up(libs, relu_sgd_params(1, (128,), batch), X_all[:2000], y_all[:2000], {})
    rows, failed = [], set()
    for axis, value, n, width in cases:
        X, y = X_all[:n], y_all[:n]
        params = relu_sgd_params(epochs, (width,), batch)
        gemm = GemmEpoch(X, (width,), 10, batch)
        tasks = {"gemm": lambda gemm=gemm: gemm.sample(epochs)}
        tasks.update({lib: _fit_task(lib, params, X, y) for lib in libs if lib not in failed})
        key = f"{axis}={value}"
        errors = {}
        sc.raw[key] = interleaved(tasks, repeats, errors)
        sc.errors.update({f"{lib} {key}": e for lib, e in errors.items()})
        failed.update(errors)  # not retried in the later cases
        times = {name: epoch_summary(s) for name, s in sc.raw[key].items()}
        for name, t in times.items():
            sc.metric(f"epoch_cpu {name} {key}", t[0])
        nan2 = (float("nan"), float("nan"))
        sk = times.get("skmlp", nan2)
        rows.append(
            (
                axis,
                value,
                times_cell(sk),
                times_cell(times["sklearn"]),
                times_cell(times["gemm"]),
                fmt_ratio(vs(sk, times["sklearn"])[0]),
                fmt_ratio(vs(sk, times["gemm"])[0]),
                fmt_ratio(vs(times["sklearn"], times["gemm"])[0]),
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


def _early_stopping_estimator(lib, seed):
    if lib == "skmlp":
        return estimator_class("skmlp")(random_state=seed)
    return estimator_class("sklearn")(
        hidden_layer_sizes=(20, 20),
        activation="logistic",
        solver="sgd",
        learning_rate_init=0.1,
        momentum=0,
        batch_size=25,
        alpha=0,
        early_stopping=True,
        validation_fraction=0.25,
        random_state=seed,
    )


def early_stopping(settings, libs):
    """Scenario 5: the tutorial task with early stopping, fit time and accuracy.

    skmlp runs with its defaults, sklearn with the tutorial network and
    ``early_stopping=True, validation_fraction=0.25``; both are fitted on the
    train + validation part (80%) of the digits split and scored on the test
    part (20%), once per seed.

    Parameters
    ----------
    settings : _cases.Settings
        Run options.
    libs : sequence of str
        Libraries to measure.

    Returns
    -------
    _cases.Scenario
        Samples, metrics, checks and tables.
    """
    seeds = list(range(settings.n_repeats(5, 2)))
    data = digits_split()
    X = np.vstack([data["X_train"], data["X_val"]])
    y = np.concatenate([data["y_train"], data["y_val"]])
    X_test, y_test = data["X_test"], data["y_test"]
    sc = Scenario(
        "5. Tutorial task with early stopping: fit time and test accuracy",
        f"skmlp `MLPLayerClassifier(random_state=s)` (defaults) vs sklearn "
        f"MLPClassifier((20, 20), logistic, sgd 0.1, momentum 0, batch 25, "
        f"alpha 0, early_stopping=True, validation_fraction=0.25); fit on "
        f"{X.shape[0]} rows, test on {X_test.shape[0]}; medians over seeds "
        f"{seeds}.",
        {"seeds": seeds, "n_fit": X.shape[0], "n_test": X_test.shape[0]},
    )
    counters = {lib: iter(seeds) for lib in libs}

    def task(lib):
        def run():
            seed = next(counters[lib])
            estimator = _early_stopping_estimator(lib, seed)
            with Clock() as clock:
                fit_quietly(estimator, X, y)
            return {
                "seed": seed,
                "wall": clock.wall,
                "cpu": clock.cpu,
                "n_iter": int(estimator.n_iter_),
                "accuracy": float(estimator.score(X_test, y_test)),
            }

        return run

    sc.raw = interleaved({lib: task(lib) for lib in libs}, len(seeds), sc.errors)
    summary = {}
    for lib, samples in sc.raw.items():
        summary[lib] = {
            key: median_of(samples, key) for key in ("cpu", "wall", "n_iter", "accuracy")
        }
        sc.metric(f"fit_cpu {lib}", summary[lib]["cpu"])
        sc.metric(f"accuracy {lib}", summary[lib]["accuracy"], "acc")
        sc.metric(f"n_iter {lib}", summary[lib]["n_iter"], "epochs")
    nan = float("nan")
    blank = {"cpu": nan, "wall": nan, "n_iter": nan, "accuracy": nan}
    sk, ref = summary.get("skmlp", blank), summary["sklearn"]
    sc.table(
        "Medians over seeds (fit time CPU / wall)",
        ("library", "fit time", "epochs", "test accuracy", "accuracies"),
        [
            (
                lib,
                times_cell((s["cpu"], s["wall"])),
                f"{s['n_iter']:g}",
                f"{s['accuracy']:.4f}",
                ", ".join(f"{x['accuracy']:.3f}" for x in sc.raw[lib]),
            )
            for lib, s in summary.items()
        ],
    )
    acc_ok = sk["accuracy"] >= ref["accuracy"]
    check = make_check(
        "5 early-stopping fit time vs sklearn (and accuracy >= sklearn)",
        ratio(sk["cpu"], ref["cpu"]),
        ratio(sk["wall"], ref["wall"]),
        "<=",
        0.5,
        f"{times_cell((sk['cpu'], sk['wall']))}, acc {sk['accuracy']:.4f}",
        f"{times_cell((ref['cpu'], ref['wall']))}, acc {ref['accuracy']:.4f}",
        extra_ok=acc_ok,
    )
    sc.checks.append(check)
    if "skmlp" in summary:
        diff = sk["accuracy"] - ref["accuracy"]
        sc.metric("accuracy difference skmlp - sklearn", diff, "acc")
    return sc


def threaded(settings, libs):
    """Scenario 6: the large float64 net with BLAS on every core, as users run it.

    Reported, not judged: the targets are on one BLAS thread, but a second
    BLAS thread pool in the training loop (SciPy's, once used for the SGD
    step) made fits 3x slower only with several threads, so this case runs
    them.

    Parameters
    ----------
    settings : _cases.Settings
        Run options (``--threads`` does not apply: all cores are used).
    libs : sequence of str
        Libraries to measure.

    Returns
    -------
    _cases.Scenario
        Samples, metrics, checks and a table.
    """
    threads = os.cpu_count() or 1
    n_samples = settings.pick(60_000, 15_000)
    n_features, hidden, batch, epochs = 784, (512, 256), 256, 1
    repeats = settings.n_repeats(3, 1)
    sc = Scenario(
        f"6. Default threading: 784-512-256-10 ReLU with BLAS on {threads} threads",
        f"Synthetic {n_samples} x {n_features} float64 data as in 2; {epochs} epoch, "
        f"{repeats} repeat(s), each fit in a fresh subprocess with "
        f"OPENBLAS_NUM_THREADS={threads} (no memory tracing). Wall time is what "
        "matters here; CPU time counts every thread, spinning ones included.",
        {
            "n_samples": n_samples,
            "hidden_layer_sizes": hidden,
            "batch_size": batch,
            "epochs": epochs,
            "repeats": repeats,
            "threads": threads,
        },
    )
    params = relu_sgd_params(epochs, hidden, batch)
    tasks = {}
    for lib in libs:
        spec = {
            "task": "fit",
            "lib": lib,
            "threads": threads,
            "traced": False,
            "data": {"n_samples": n_samples, "n_features": n_features, "dtype": "float64"},
            "params": params,
        }
        tasks[lib] = lambda spec=spec: run_worker(spec)
    errors = {}
    raw = interleaved(tasks, repeats, errors, required=("sklearn",))
    sc.errors.update(errors)
    sc.raw = raw
    times = {name: epoch_summary(samples) for name, samples in raw.items()}
    for name, t in times.items():
        sc.metric(f"epoch_cpu {name}", t[0])
        sc.metric(f"epoch_wall {name}", t[1])
    nan2 = (float("nan"), float("nan"))
    sk = times.get("skmlp", nan2)
    sc.table(
        "Time per epoch (CPU / wall) with BLAS on all cores",
        ["library", "time/epoch", "wall vs sklearn"],
        [
            (name, times_cell(t), fmt_ratio(ratio(t[1], times["sklearn"][1])))
            for name, t in times.items()
        ],
    )
    sc.checks.append(
        make_check(
            f"6 large float64, BLAS on {threads} threads, time/epoch vs sklearn",
            *vs(sk, times["sklearn"]),
            None,
            None,
            times_cell(sk),
            times_cell(times["sklearn"]),
        )
    )
    return sc

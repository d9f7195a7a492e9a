"""Scenario 3: ``predict_proba`` latency and peak memory."""

import time
import traceback

from _cases import Scenario, times_cell, vs
from _data import digits_split, tile_rows
from _models import factory, tutorial_params
from _report import fmt_bytes, fmt_time, make_check, ratio
from _timing import Clock, fit_quietly, interleaved, median_of, quantiles
from _worker import run_worker


def _per_call_latencies(predict, X, n_calls):
    """Time ``n_calls`` calls of ``predict(X)`` one by one.

    Returns
    -------
    cpu, wall : list of float
        Seconds of each call.
    """
    cpu, wall = [], []
    for _ in range(n_calls):
        c0, w0 = time.process_time(), time.perf_counter()
        predict(X)
        w1, c1 = time.perf_counter(), time.process_time()
        cpu.append(c1 - c0)
        wall.append(w1 - w0)
    return cpu, wall


def _one_row(sc, models, X_row, n_calls, block):
    """Median per-call latency of one-row ``predict_proba``, blocks interleaved."""
    lat = {lib: ([], []) for lib in models}
    for model in models.values():  # warm-up
        _per_call_latencies(model.predict_proba, X_row, 20)

    def task(lib):
        def run():
            cpu, wall = _per_call_latencies(models[lib].predict_proba, X_row, block)
            lat[lib][0].extend(cpu)
            lat[lib][1].extend(wall)

        return run

    interleaved({lib: task(lib) for lib in models}, n_calls // block, sc.errors)
    sc.raw["one_row"] = {
        lib: {"cpu": quantiles(cpu), "wall": quantiles(wall)}
        for lib, (cpu, wall) in lat.items()
        if cpu
    }
    return {lib: (q["cpu"]["median"], q["wall"]["median"]) for lib, q in sc.raw["one_row"].items()}


def _many_rows(sc, models, X, repeats):
    """Median time of ``predict_proba`` on all rows of ``X``, interleaved."""

    def task(lib):
        def run():
            with Clock() as clock:
                models[lib].predict_proba(X)
            return {"cpu": clock.cpu, "wall": clock.wall}

        return run

    models[next(iter(models))].predict_proba(X)  # warm-up (page faults etc.)
    sc.raw["rows_10k"] = interleaved({lib: task(lib) for lib in models}, repeats, sc.errors)
    return {
        lib: (median_of(s, "cpu"), median_of(s, "wall"))
        for lib, s in sc.raw["rows_10k"].items()
        if s
    }


def prediction(settings, libs):
    """Scenario 3: ``predict_proba`` on 1 row, 10,000 rows and 1,000,000 rows.

    The 1-row and 10,000-row cases use the tutorial model (fitted 20 epochs
    on the digits training split); the 1,000,000 x 100 case runs in a fresh
    subprocess per library, with a (20, 20) logistic model fitted for a few
    epochs on 2,000 rows of the same synthetic data.

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
    n_calls = settings.pick(2000, 300)
    block = 100
    n_many = 10_000
    repeats_many = settings.n_repeats(30, 5)
    n_big = settings.pick(1_000_000, 200_000)
    repeats_big = settings.pick(2, 1)
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
    data = digits_split()
    models = {}
    for lib in libs:
        try:
            models[lib] = fit_quietly(
                factory(lib, tutorial_params(20))(), data["X_train"], data["y_train"]
            )
        except Exception:
            if lib == "sklearn":
                raise
            sc.errors[f"{lib} fit"] = traceback.format_exc()

    one = _one_row(sc, models, data["X_test"][:1], n_calls, block)
    X_many = tile_rows(data["X_train"], n_many)
    many = _many_rows(sc, models, X_many, repeats_many)

    big_spec = {
        "task": "predict",
        "threads": settings.threads,
        "fit_rows": 2000,
        "data": {"n_samples": n_big, "n_features": 100, "dtype": "float64"},
        "params": tutorial_params(5),
    }
    tasks = {lib: (lambda lib=lib: run_worker({**big_spec, "lib": lib})) for lib in libs}
    sc.raw["rows_big"] = interleaved(tasks, repeats_big, sc.errors)
    big = {
        lib: {
            "time": (median_of(s, "cpu"), median_of(s, "wall")),
            "extra": median_of(s, "extra"),
            "traced": median_of(s, "traced_peak"),
        }
        for lib, s in sc.raw["rows_big"].items()
        if s
    }

    nan2 = (float("nan"), float("nan"))
    for lib in libs:
        sc.metric(f"one_row_cpu {lib}", one.get(lib, nan2)[0])
        sc.metric(f"rows_10k_cpu {lib}", many.get(lib, nan2)[0])
        b = big.get(lib, {})
        sc.metric(f"rows_big_cpu {lib}", b.get("time", nan2)[0])
        sc.metric(f"rows_big_peak_extra {lib}", b.get("extra", float("nan")), "B")
    rows = []
    for lib in libs:
        b = big.get(lib, {"time": nan2})
        rows.append(
            (
                lib,
                times_cell(one.get(lib, nan2)),
                times_cell(many.get(lib, nan2)),
                times_cell(b["time"]),
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
        make_check(
            "3 predict_proba 1 row latency vs sklearn",
            *vs(one.get("skmlp", nan2), one["sklearn"]),
            "<=",
            0.5,
            times_cell(one.get("skmlp", nan2)),
            times_cell(one["sklearn"]),
        )
    )
    sc.checks.append(
        make_check(
            f"3 predict_proba {n_many} rows vs sklearn",
            *vs(many.get("skmlp", nan2), many["sklearn"]),
            "<=",
            0.9,
            times_cell(many.get("skmlp", nan2)),
            times_cell(many["sklearn"]),
        )
    )
    mine = big.get("skmlp", {}).get("extra")
    ref = big["sklearn"]["extra"]
    r = ratio(mine, ref)
    sc.checks.append(
        make_check(
            f"3 predict_proba {n_big} x 100 peak extra memory vs sklearn",
            r,
            r,
            None,
            None,
            f"{fmt_bytes(mine)} ({fmt_time(big.get('skmlp', {'time': nan2})['time'][0])})",
            f"{fmt_bytes(ref)} ({fmt_time(big['sklearn']['time'][0])})",
        )
    )
    return sc

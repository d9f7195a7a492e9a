"""Target checks, markdown tables and comparison of two result files."""

import math
import operator

OPERATORS = {"<=": operator.le, ">=": operator.ge}


def _finite(x):
    return x is not None and isinstance(x, int | float) and math.isfinite(x)


def ratio(num, den):
    """Return ``num / den``, or NaN if either is missing or ``den`` is 0."""
    if not (_finite(num) and _finite(den)) or den == 0:
        return float("nan")
    return num / den


def fmt_time(seconds):
    """Format a duration with a unit suited to its size, e.g. ``"12.3 ms"`` (``"n/a"``)."""
    if not _finite(seconds):
        return "n/a"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if abs(seconds) >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_times(cpu, wall):
    """Format a CPU and a wall time as ``"cpu / wall unit"``, in the unit chosen for ``cpu``."""
    if not _finite(cpu):
        return "n/a"
    text = fmt_time(cpu)
    value, unit = text.split()
    scale = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[unit]
    if not _finite(wall):
        wall_text = "n/a"
    elif wall / scale >= 1000:
        wall_text = f"{wall / scale:.0f}"
    else:
        wall_text = f"{wall / scale:.3g}"
    return f"{value} / {wall_text} {unit}"


def fmt_bytes(n_bytes):
    """Format a number of bytes in MiB, e.g. ``"12.3 MiB"`` (``"n/a"`` if not finite)."""
    if not _finite(n_bytes):
        return "n/a"
    return f"{n_bytes / 2**20:.4g} MiB"


def fmt_ratio(value):
    """Format a ratio as ``"0.123x"`` (``"n/a"`` if not finite)."""
    return f"{value:.3g}x" if _finite(value) else "n/a"


def make_check(name, ratio_cpu, ratio_wall, op, threshold, skmlp, reference, extra_ok=True):
    """Build one row of the target table.

    Parameters
    ----------
    name : str
        What is checked, e.g. ``"tutorial time/epoch vs sklearn"``.
    ratio_cpu, ratio_wall : float
        The ratio from CPU times (judged) and from wall times (shown).
    op : {"<=", ">="} or None
        Comparison with ``threshold``; None for a reported-only row.
    threshold : float or None
        The target.
    skmlp, reference : str
        Formatted values that make the ratio.
    extra_ok : bool, default=True
        A further condition for PASS (e.g. accuracy not worse).

    Returns
    -------
    dict
        The check, with ``status`` one of ``"PASS"``, ``"FAIL"``, ``"SKIP"``
        (ratio not available) or ``"report"`` (no target).
    """
    if op is None:
        status = "report" if _finite(ratio_cpu) else "SKIP"
        target = "report"
    else:
        target = f"{op} {threshold:g}"
        if not _finite(ratio_cpu):
            status = "SKIP"
        else:
            ok = OPERATORS[op](ratio_cpu, threshold) and extra_ok
            status = "PASS" if ok else "FAIL"
    return {
        "name": name,
        "skmlp": skmlp,
        "reference": reference,
        "ratio_cpu": ratio_cpu if _finite(ratio_cpu) else None,
        "ratio_wall": ratio_wall if _finite(ratio_wall) else None,
        "op": op,
        "threshold": threshold,
        "target": target,
        "status": status,
    }


def time_check(name, mine, ref, op, threshold, **kwargs):
    """:func:`make_check` of two ``(cpu, wall)`` times: ratios and cells from them."""
    ratios = ratio(mine[0], ref[0]), ratio(mine[1], ref[1])
    cells = kwargs.pop("skmlp", fmt_times(*mine)), kwargs.pop("reference", fmt_times(*ref))
    return make_check(name, *ratios, op, threshold, *cells, **kwargs)


def markdown_table(columns, rows):
    """Render a markdown table, cells converted with :func:`str`, columns padded."""
    cells = [[str(c) for c in columns]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]

    def line(row):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), sep, *(line(r) for r in cells[1:])])


def checks_table(checks):
    """Render the target checks (:func:`make_check`) as a markdown table."""
    rows = [
        (
            c["name"],
            c["skmlp"],
            c["reference"],
            fmt_ratio(c["ratio_cpu"]),
            fmt_ratio(c["ratio_wall"]),
            c["target"],
            f"**{c['status']}**" if c["status"] in ("PASS", "FAIL") else c["status"],
        )
        for c in checks
    ]
    columns = ("Check", "skmlp", "reference", "ratio CPU", "ratio wall", "target", "result")
    return markdown_table(columns, rows)


def render_markdown(results):
    """Render a result document of ``run.py``: header, machine, targets, scenarios, errors."""
    out = [
        f"# skmlp benchmarks, {results['environment']['date']}"
        + (" (QUICK run: indicative only)" if results["settings"]["quick"] else ""),
        "",
        f"Machine: {results['machine']}",
        "",
        f"Command: `{results['command']}`",
        "",
        f"Load average (1 min) at start / end: {results.get('load_start', '?')} / "
        f"{results.get('load_end', '?')} on {results['environment']['cpu_count']} CPUs; "
        f"total time {results.get('elapsed_s', 0):.0f} s. Wall time well above CPU time "
        "(with 1 BLAS thread) means the process waited for a CPU: other load.",
        "",
        "Times are medians over repeats, shown as `CPU / wall`. Ratios are "
        "skmlp / reference (speed-up rows: float64 / float32 time); targets "
        "are judged on the CPU-time ratio.",
    ]
    if results.get("skipped"):
        out += ["", f"**{results['skipped']}**"]
    checks = [c for s in results["scenarios"].values() for c in s.get("checks", [])]
    out += ["", "## Targets", "", checks_table(checks)]
    for key, scenario in results["scenarios"].items():
        out += ["", f"## {scenario.get('title', key)}"]
        if scenario.get("description"):
            out += ["", scenario["description"]]
        for table in scenario.get("tables", []):
            out += ["", f"{table['title']}:", ""]
            out.append(markdown_table(table["columns"], table["rows"]))
        for name, error in scenario.get("errors", {}).items():
            last = error.strip().splitlines()[-1] if error.strip() else "?"
            out += ["", f"- error in `{name}`: `{last}`"]
    return "\n".join(out) + "\n"


def _fmt_metric(value, unit):
    if unit == "s":
        return fmt_time(value)
    if unit == "B":
        return fmt_bytes(value)
    return f"{value:.4g}" if _finite(value) else "n/a"


def compare_markdown(old, new):
    """Render old-versus-new tables of two result documents of ``run.py``.

    The targets (old and new ratio and result) and every metric present in
    either document (old, new and new / old).
    """
    out = [
        "## Comparison",
        "",
        f"old: {old['environment']['date']} ({old['machine']})",
        "",
        f"new: {new['environment']['date']} ({new['machine']})",
        "",
    ]

    def checks_of(doc):
        return {c["name"]: c for s in doc["scenarios"].values() for c in s.get("checks", [])}

    old_checks, new_checks = checks_of(old), checks_of(new)
    rows = []
    for name in list(dict.fromkeys([*old_checks, *new_checks])):
        o, n = old_checks.get(name, {}), new_checks.get(name, {})
        rows.append(
            (
                name,
                fmt_ratio(o.get("ratio_cpu")),
                fmt_ratio(n.get("ratio_cpu")),
                o.get("status", "-"),
                n.get("status", "-"),
                n.get("target", o.get("target", "")),
            )
        )
    columns = ("Check", "old ratio", "new ratio", "old", "new", "target")
    out += [markdown_table(columns, rows), ""]

    def metrics_of(doc):
        return {
            f"{key}: {name}": m
            for key, s in doc["scenarios"].items()
            for name, m in s.get("metrics", {}).items()
        }

    old_m, new_m = metrics_of(old), metrics_of(new)
    rows = []
    for name in list(dict.fromkeys([*old_m, *new_m])):
        o, n = old_m.get(name), new_m.get(name)
        unit = (n or o)["unit"]
        ov = o["value"] if o else None
        nv = n["value"] if n else None
        rows.append((name, _fmt_metric(ov, unit), _fmt_metric(nv, unit), fmt_ratio(ratio(nv, ov))))
    out.append(markdown_table(("Metric", "old", "new", "new / old"), rows))
    return "\n".join(out) + "\n"

"""Benchmark skmlp against scikit-learn's MLPClassifier and the GEMM bound.

Run ``python benchmarks/run.py --help`` for the options; ``benchmarks/README.md``
describes the scenarios and the output.
"""

import argparse
import datetime
import json
import math
import os
import shlex
import sys
import time
import traceback
from pathlib import Path

from _env import collect_environment, machine_line
from _harness import Settings, import_skmlp
from _report import compare_markdown, render_markdown
from _scenarios import SCENARIOS
from threadpoolctl import threadpool_limits

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def parse_args(argv=None):
    """Parse the command line (``sys.argv[1:]`` if ``argv`` is None)."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller problems, fewer repeats and epochs: a smoke run of a few "
        "minutes whose numbers are only indicative",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory for the results")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(SCENARIOS),
        metavar="SCENARIO",
        help=f"run only this scenario (repeatable); one of {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP thread limit")
    parser.add_argument("--repeats", type=int, default=None, help="override every repeat count")
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="OLD.json",
        help="print old-versus-new tables against an earlier result file",
    )
    parser.add_argument(
        "--new",
        type=Path,
        metavar="NEW.json",
        help="with --compare: compare with this file instead of running",
    )
    parser.add_argument(
        "--no-save", action="store_true", help="print the report but write no files"
    )
    return parser.parse_args(argv)


def _json_safe(obj):
    """Replace NaN and infinities by None, recursively, for strict JSON."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    return obj


def load_average():
    """Return the 1-minute load average, or None where it is unavailable."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def run_benchmarks(args):
    """Run the selected scenarios; return the results document.

    It holds the settings, the environment, and per scenario its checks,
    tables, metrics, errors and raw samples.
    """
    settings = Settings(quick=args.quick, threads=args.threads, repeats=args.repeats)
    skmlp, skipped = import_skmlp()
    libs = ["sklearn"] if skmlp is None else ["skmlp", "sklearn"]
    if skipped:
        print(skipped, file=sys.stderr)
    names = args.only or list(SCENARIOS)
    command = shlex.join(["python", "benchmarks/run.py", *sys.argv[1:]])
    started = time.perf_counter()
    load_start = load_average()
    scenarios = {}
    with threadpool_limits(args.threads):
        environment = collect_environment(args.threads, skmlp)
        print(machine_line(environment), file=sys.stderr)
        for name in names:
            t0 = time.perf_counter()
            print(f"== {name} ...", file=sys.stderr, flush=True)
            try:
                scenarios[name] = SCENARIOS[name](settings, libs).as_dict()
            except Exception:
                error = traceback.format_exc()
                print(error, file=sys.stderr)
                scenarios[name] = {"title": name, "errors": {"scenario": error}}
            elapsed = time.perf_counter() - t0
            scenarios[name]["elapsed_s"] = elapsed
            print(f"   {name} done in {elapsed:.0f} s", file=sys.stderr, flush=True)
    return {
        "schema": 1,
        "command": command,
        "settings": {
            "quick": args.quick,
            "threads": args.threads,
            "repeats": args.repeats,
            "only": names,
        },
        "environment": environment,
        "machine": machine_line(environment),
        "skipped": skipped,
        "elapsed_s": time.perf_counter() - started,
        "load_start": load_start,
        "load_end": load_average(),
        "scenarios": scenarios,
    }


def save(results, out_dir):
    """Write ``<timestamp>.json`` and ``.md`` into ``out_dir`` (created); return the JSON path.

    A full run saved in the default folder replaces the results there: it
    keeps only the latest run (git keeps the earlier ones).
    """
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    full = not results["settings"]["quick"] and results["settings"]["only"] == list(SCENARIOS)
    if results["settings"]["quick"]:
        stamp += "-quick"
    if results["settings"]["only"] != list(SCENARIOS):
        stamp += "-" + "+".join(results["settings"]["only"])
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{stamp}.json"
    if full and out_dir.resolve() == DEFAULT_OUT:
        for old in [*out_dir.glob("*.json"), *out_dir.glob("*.md")]:
            old.unlink()
    path.write_text(json.dumps(_json_safe(results), indent=1) + "\n")
    path.with_suffix(".md").write_text(render_markdown(results))
    return path


def main(argv=None):
    """Entry point: run, report, save and optionally compare."""
    args = parse_args(argv)
    if args.new is not None:
        if args.compare is None:
            sys.exit("--new needs --compare OLD.json")
        old = json.loads(args.compare.read_text())
        new = json.loads(args.new.read_text())
        print(compare_markdown(old, new))
        return
    results = run_benchmarks(args)
    print(render_markdown(results))
    if not args.no_save:
        path = save(results, args.out)
        print(f"Results written to {path} and {path.with_suffix('.md')}")
    if args.compare is not None:
        old = json.loads(args.compare.read_text())
        print(compare_markdown(old, json.loads(json.dumps(_json_safe(results)))))


if __name__ == "__main__":
    main()

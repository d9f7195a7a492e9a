"""Description of the machine and software stack a benchmark ran on."""

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import scipy
import sklearn
import threadpoolctl

REPO_ROOT = Path(__file__).resolve().parent.parent


def cpu_info():
    """Describe the CPU from ``/proc/cpuinfo``.

    Returns
    -------
    dict
        ``model`` (the ``model name`` field, or :func:`platform.processor`
        where ``/proc/cpuinfo`` does not exist), ``family_model_stepping``
        and ``simd``, the vector extensions among the CPU flags.
    """
    fields = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    break  # first processor only
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        pass
    flags = fields.get("flags", "").split()
    simd = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "amx_tile")
    return {
        "model": fields.get("model name") or platform.processor() or "unknown",
        "family_model_stepping": "/".join(
            fields.get(k, "?") for k in ("cpu family", "model", "stepping")
        ),
        "simd": [f for f in simd if f in flags],
    }


def numpy_simd():
    """The SIMD extensions NumPy was built for and dispatches to on this CPU.

    Returns
    -------
    dict
        ``baseline`` (compiled in, always used) and ``dispatch`` (built-in
        optional targets, lowest first) from NumPy; ``supported``, the
        targets this CPU offers and ``NPY_DISABLE_CPU_FEATURES`` leaves on;
        ``level``, the highest of those (or of the baseline); ``disabled``,
        that variable's value.
    """
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # NumPy 1.x
        from numpy.core import _multiarray_umath as umath
    features = getattr(umath, "__cpu_features__", {})
    baseline = list(getattr(umath, "__cpu_baseline__", []))
    dispatch = list(getattr(umath, "__cpu_dispatch__", []))
    supported = [t for t in dispatch if features.get(t)]
    return {
        "baseline": baseline,
        "dispatch": dispatch,
        "supported": supported,
        "level": (supported or baseline or ["none"])[-1],
        "disabled": os.environ.get("NPY_DISABLE_CPU_FEATURES", ""),
    }


def git_revision(path=REPO_ROOT):
    """The commit checked out in ``path``, ``+dirty`` with uncommitted changes; None without git."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(path), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+dirty" if status else "")


def blas_info():
    """Return the BLAS and OpenMP libraries loaded in this process.

    Call this inside the :func:`threadpoolctl.threadpool_limits` context used
    for the measurements so that ``num_threads`` shows the limit in force.

    Returns
    -------
    list of dict
        One entry per library, as reported by
        :func:`threadpoolctl.threadpool_info`; instead of the file path,
        ``library`` is the folder holding it (``numpy.libs`` for the BLAS
        that NumPy's matrix products use).
    """
    keys = ("user_api", "internal_api", "version", "architecture", "num_threads")
    keys += ("threading_layer", "prefix")
    infos = []
    for info in threadpoolctl.threadpool_info():
        entry = {k: info.get(k) for k in keys}
        entry["library"] = Path(info.get("filepath", "")).parent.name
        infos.append(entry)
    return infos


def collect_environment(threads, skmlp_module=None):
    """Describe the machine, the libraries and the ``threads`` limit (JSON-serialisable).

    ``skmlp_module`` is the imported package, or None if it is unavailable.
    """
    env = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "executable": sys.executable,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "scipy": scipy.__version__,
        "threadpoolctl": threadpoolctl.__version__,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu_info(),
        "numpy_simd": numpy_simd(),
        "cpu_count": os.cpu_count(),
        "threads_requested": threads,
        "blas": blas_info(),
        "git_revision": git_revision(),
        "skmlp": None,
    }
    if skmlp_module is not None:
        env["skmlp"] = {
            "version": getattr(skmlp_module, "__version__", "unknown"),
            "path": str(Path(skmlp_module.__file__).resolve().parent),
        }
    return env


def machine_line(env):
    """Summarise :func:`collect_environment` on one line.

    CPU model and flags, NumPy's SIMD level, platform, BLAS library with its
    kernel (OpenBLAS core type) and thread count, versions and date.
    """
    blas = [b for b in env["blas"] if b["user_api"] == "blas"]
    # NumPy's BLAS first: it does the matrix products of all three contenders.
    blas.sort(key=lambda b: "numpy" not in (b.get("library") or ""))
    blas_text = ", ".join(
        f"{b['internal_api']} {b['version']} ({b['architecture']} kernels, "
        f"{b['threading_layer']}, {b['num_threads']} thread(s)) from {b['library']}"
        for b in blas[:1]
    )
    if len(blas) > 1:
        blas_text += f" [+{len(blas) - 1} more BLAS loaded]"
    cpu = env["cpu"]
    skmlp = env.get("skmlp") or {}
    simd = env.get("numpy_simd")  # absent from results of before 2026-12-02
    simd_text = ""
    if simd:
        missing = [t for t in simd["dispatch"] if t not in simd["supported"]]
        simd_text = (
            f"NumPy SIMD {simd['level']} (baseline {' '.join(simd['baseline']) or 'none'}; "
            f"dispatch {' '.join(simd['supported']) or 'none'}"
            + (f"; not {' '.join(missing)}" if missing else "")
            + (f"; NPY_DISABLE_CPU_FEATURES={simd['disabled']}" if simd["disabled"] else "")
            + ") | "
        )
    return (
        f"{cpu['model']} (family/model/stepping {cpu['family_model_stepping']}, "
        f"{' '.join(cpu['simd'])}) x{env['cpu_count']} | {simd_text}{env['platform']} | "
        f"BLAS: {blas_text or 'none found'} | "
        f"python {env['python']}, numpy {env['numpy']}, "
        f"scikit-learn {env['scikit-learn']}, "
        f"skmlp {skmlp.get('version', 'n/a')} @ {env['git_revision']} | "
        f"{env['date']}"
    )

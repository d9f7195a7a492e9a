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


def git_revision(path=REPO_ROOT):
    """Return the commit checked out in ``path`` and whether the tree is dirty.

    Parameters
    ----------
    path : path-like, default=REPO_ROOT
        A directory inside a git work tree.

    Returns
    -------
    str or None
        The abbreviated commit hash, with ``+dirty`` appended when there are
        uncommitted changes, or None if git is unavailable.
    """
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return rev + ("+dirty" if dirty else "")


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
    """Describe the machine, the libraries and the thread settings.

    Parameters
    ----------
    threads : int
        The BLAS thread limit requested for the run.
    skmlp_module : module or None, default=None
        The imported :mod:`skmlp` package, or None if it is unavailable.

    Returns
    -------
    dict
        JSON-serialisable description of the environment.
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
    """Summarise an environment description on one line.

    Parameters
    ----------
    env : dict
        As returned by :func:`collect_environment`.

    Returns
    -------
    str
        CPU, platform, BLAS library with its kernel and thread count,
        library versions and date.
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
    return (
        f"{cpu['model']} (family/model/stepping {cpu['family_model_stepping']}, "
        f"{' '.join(cpu['simd'])}) x{env['cpu_count']} | {env['platform']} | "
        f"BLAS: {blas_text or 'none found'} | "
        f"python {env['python']}, numpy {env['numpy']}, "
        f"scikit-learn {env['scikit-learn']}, "
        f"skmlp {skmlp.get('version', 'n/a')} @ {env['git_revision']} | "
        f"{env['date']}"
    )

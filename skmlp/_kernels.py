"""Elementwise kernels chosen once per process for the SIMD level NumPy dispatches to.

The fastest way to compute the logistic function differs between machines:
NumPy vectorises ``exp`` with AVX-512 and AVX2 (float64 and float32), while
SciPy's ``expit`` is one pass of scalar code, cheapest where a vectorised
``exp`` does not pay for its four passes: small arrays, from about 500
elements down on AVX-512 and a few thousand on AVX2, where ``exp`` is
slower. (Float64 on AVX2 is close: ``exp`` plus its three cheap passes tie
with ``expit`` when an AVX-512 machine emulates AVX2, and on an AMD EPYC with
AVX2 only, ``exp`` alone took 1.2 ms against 1.8 ms for ``expit`` on 10000 x
20; so ``exp`` is chosen there too.) The choice is made
from NumPy's own report of the CPU features it dispatches to (what
``np.show_runtime()`` prints), once, when this module is imported: never by
timing, so that results never depend on the machine's load.

Every variant is accurate to a few units in the last place over the whole
range, and saturates without warnings or overflow.
"""

import numpy as np
from scipy.special import expit

try:  # NumPy 2
    from numpy._core._multiarray_umath import __cpu_features__ as _CPU_FEATURES
except ImportError:  # pragma: no cover - NumPy 1.x
    from numpy.core._multiarray_umath import __cpu_features__ as _CPU_FEATURES

#: Elements above which a vectorised ``exp`` beats ``expit``: on AVX-512
#: from about 500 elements on (below, its four passes cost more call
#: overhead than they save: one row of a prediction, a small minibatch);
#: on AVX2 from a few thousand on.
_EXP_FROM = {"avx512": 512, "avx2": 4096}


def simd_level(features=None):
    """The widest x86 SIMD level NumPy dispatches to: ``"avx512"``, ``"avx2"`` or ``"baseline"``.

    Parameters
    ----------
    features : dict of str to bool, default=None
        NumPy's CPU-feature report; None reads this process's (which honours
        ``NPY_DISABLE_CPU_FEATURES``).

    Returns
    -------
    level : str
    """
    features = _CPU_FEATURES if features is None else features
    if features.get("X86_V4") or features.get("AVX512_SKX"):
        return "avx512"
    if features.get("X86_V3") or features.get("AVX2"):
        return "avx2"
    return "baseline"


def logistic_exp(X, out):
    """Logistic ``1 / (1 + exp(-x))`` with a vectorised ``exp``: four passes, in ``out``.

    Where ``-x`` overflows the exponential, the result is ``1 / inf = 0``:
    the exact value there is below the smallest normal number. The
    overflow is expected and silenced for that one pass (cheaper than
    clamping ``-x`` first, which costs a fifth pass as slow as the ``exp``).
    The reciprocal is a division of one by ``out``: NumPy vectorises it,
    and twice as fast as ``np.reciprocal`` on float64.
    """
    np.negative(X, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.divide(1.0, out, out=out)


def logistic_expit(X, out):
    """Logistic with :func:`scipy.special.expit`: one scalar pass, in ``out``."""
    return expit(X, out=out)


def choose_logistic(level, dtype, n_elements):
    """The logistic variant for a SIMD level, a dtype and an array size.

    Parameters
    ----------
    level : {"avx512", "avx2", "baseline"}
        From :func:`simd_level`.
    dtype : numpy.dtype
        float32 or float64 (on today's levels both have the same limit).
    n_elements : int
        Size of the array.

    Returns
    -------
    kernel : callable
        ``kernel(X, out) -> out``.
    """
    return logistic_exp if n_elements > _EXP_FROM.get(level, np.inf) else logistic_expit


_LEVEL = simd_level()

#: This process's choice: the size above which each dtype takes ``exp``.
_CHOSEN = {np.dtype(dtype): _EXP_FROM.get(_LEVEL, np.inf) for dtype in (np.float64, np.float32)}


def logistic(X, out):
    """The logistic function of ``X`` into ``out``, with this machine's variant.

    Parameters
    ----------
    X : ndarray
        Input (may be ``out`` itself).
    out : ndarray
        Output array of ``X``'s shape and dtype.

    Returns
    -------
    out : ndarray
    """
    kernel = logistic_exp if out.size > _CHOSEN[out.dtype] else logistic_expit
    return kernel(X, out)

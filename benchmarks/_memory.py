"""Peak extra memory of a block of code, from the process's resident set."""

import ctypes
import ctypes.util
import gc
import resource
import sys
import tracemalloc

KIB = 1024


def _status_kib(field):
    """Read one ``kB`` field of ``/proc/self/status`` (Linux only)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def current_rss():
    """Return the current resident set size in bytes.

    Returns
    -------
    int or None
        ``VmRSS`` of ``/proc/self/status``, or None where it is unavailable.
    """
    try:
        return _status_kib("VmRSS") * KIB
    except (OSError, KeyError):
        return None


def release_free_heap():
    """Give memory that ``malloc`` holds but nobody uses back to the system.

    glibc keeps freed blocks of its heap mapped for reuse. Were they part of
    the baseline RSS, a measured block reusing them would look smaller than
    it is; ``malloc_trim(0)`` releases them first. No-op without glibc.

    Returns
    -------
    bool
        Whether ``malloc_trim`` was called.
    """
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        return False
    return True


def reset_peak_rss():
    """Reset the kernel's high-water mark of the resident set (Linux >= 4.0).

    Returns
    -------
    bool
        Whether ``VmHWM`` could be reset by writing 5 to
        ``/proc/self/clear_refs``.
    """
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_rss():
    """Return the peak resident set size in bytes.

    Returns
    -------
    int
        ``VmHWM`` (which :func:`reset_peak_rss` can reset), falling back to
        ``ru_maxrss`` of :func:`resource.getrusage` (peak since the process
        started).
    """
    try:
        return _status_kib("VmHWM") * KIB
    except (OSError, KeyError):
        scale = 1 if sys.platform == "darwin" else KIB
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


class PeakMemory:
    """Measure the peak extra resident memory of a block of code.

    On entry the garbage collector runs, free heap memory is returned to the
    system (:func:`release_free_heap`), the peak RSS is reset (when the
    kernel allows) and the current RSS is taken as baseline; on exit
    ``extra`` is the peak RSS minus that baseline. Everything allocated
    before entering (data, imported modules, BLAS buffers of an earlier
    warm-up) is thus excluded.

    Parameters
    ----------
    trace : bool, default=False
        Also run :mod:`tracemalloc` and report ``traced_peak``, the peak of
        Python and NumPy allocations (NumPy reports its buffers to
        tracemalloc). It slows Python code down, so do not combine it with
        timing.

    Attributes
    ----------
    baseline : int
        RSS in bytes on entry.
    peak : int
        Peak RSS in bytes during the block.
    extra : int
        ``peak - baseline``.
    method : str
        ``"VmHWM"`` if the peak could be reset, else ``"ru_maxrss"`` (then
        ``extra`` is only right if nothing before the block used more).
    traced_peak : int or None
        Peak bytes traced by tracemalloc, if ``trace``.
    """

    def __init__(self, trace=False):
        self.trace = trace
        self.traced_peak = None

    def __enter__(self):
        gc.collect()
        release_free_heap()
        self.method = "VmHWM" if reset_peak_rss() else "ru_maxrss"
        self.baseline = current_rss()
        if self.trace:
            tracemalloc.start()
        return self

    def __exit__(self, *exc_info):
        if self.trace:
            self.traced_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        self.peak = peak_rss()
        self.extra = self.peak - self.baseline
        return False

    def as_dict(self):
        """Return the measurement as a JSON-serialisable dict.

        Returns
        -------
        dict
            ``baseline``, ``peak``, ``extra`` and ``traced_peak`` in bytes,
            and ``method``.
        """
        return {
            "baseline": self.baseline,
            "peak": self.peak,
            "extra": self.extra,
            "traced_peak": self.traced_peak,
            "method": self.method,
        }

"""
===================================================
Training on a file larger than memory: partial_fit
===================================================

Write a data set to ``.npy`` files, open them as read-only memory maps and
train :class:`~skmlp.MLPLayerClassifier` one chunk at a time with
:meth:`~skmlp.MLPLayerClassifier.partial_fit`. The memory the training holds
depends on the chunk, not on the file: we measure it for files of growing size,
against loading the file and calling :meth:`~skmlp.MLPLayerClassifier.fit`,
and compare the accuracy of the two.
"""

# %%
# Files of growing size
# ---------------------
# A synthetic four-class problem of 20 float32 features, 80 bytes a row.
# Prefixes of 25,000 to 200,000 rows are saved as ``X.npy``/``y.npy`` pairs
# in a temporary directory, from 2 to 16 MB; 5,000 test rows stay in memory.
# The files are small so that the example runs in seconds, but nothing below
# depends on their size: a file of many gigabytes is streamed the same way.
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPLayerClassifier

sizes = [25_000, 50_000, 100_000, 200_000]
X, y = make_classification(
    n_samples=sizes[-1] + 5_000, n_features=20, n_informative=12, n_classes=4, random_state=0
)
X = X.astype(np.float32)
X_test, y_test = X[sizes[-1] :], y[sizes[-1] :]
classes = np.unique(y)

tmp = tempfile.TemporaryDirectory()
files = []
for n in sizes:
    X_path, y_path = Path(tmp.name, f"X_{n}.npy"), Path(tmp.name, f"y_{n}.npy")
    np.save(X_path, X[:n])
    np.save(y_path, y[:n])
    files.append((X_path, y_path))
del X, y
for X_path, _ in files:
    print(f"{X_path.name}: {X_path.stat().st_size / 1e6:5.1f} MB")

# %%
# Streaming a memory-mapped file
# ------------------------------
# ``np.load(path, mmap_mode="r")`` maps the file without reading it; slicing
# the map reads only the rows of one chunk, and ``"r"`` makes it read-only,
# so nothing can write to the file. Each ``partial_fit`` call runs one epoch
# of minibatches over its chunk; ``classes`` lists every label on the first
# call, since a chunk need not contain them all. Float32 chunks are trained
# in float32, without a copy. The network keeps the defaults (Adam with
# learning rate 0.001, ReLU units) except for a smaller hidden layer and
# minibatches of 100 rows.
CHUNK_ROWS = 10_000
params = dict(hidden_layer_sizes=(32,), batch_size=100, random_state=0)


def stream(X_path, y_path, passes=1):
    """Train on the memory-mapped files, one chunk of rows per partial_fit call."""
    X_map = np.load(X_path, mmap_mode="r")
    y_map = np.load(y_path, mmap_mode="r")
    clf = MLPLayerClassifier(**params)
    for _ in range(passes):
        for start in range(0, len(X_map), CHUNK_ROWS):
            rows = slice(start, start + CHUNK_ROWS)
            clf.partial_fit(X_map[rows], y_map[rows], classes=classes)
    return clf


def fit_in_memory(X_path, y_path, passes=1):
    """Load the whole files and fit for the same number of epochs."""
    clf = MLPLayerClassifier(**params, max_iter=passes)
    with warnings.catch_warnings():
        # A fixed number of epochs is the point here, not convergence.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(np.load(X_path), np.load(y_path))


# %%
# Measuring the memory held
# -------------------------
# ``tracemalloc`` sees every array NumPy allocates, so its peak is the
# memory the training itself needed: chunk copies, one-hot targets, weights,
# buffers. The pages of a memory map are not counted: they belong to the
# operating system's file cache, which reads them on demand and may drop them
# at any time.


def peak_memory(train, *args):
    """Run ``train(*args)``; return its result, peak traced bytes and seconds."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = train(*args)
        return result, tracemalloc.get_traced_memory()[1], time.perf_counter() - start
    finally:
        tracemalloc.stop()


file_mb, stream_mb, fit_mb = [], [], []
for X_path, y_path in files:
    _, stream_peak, stream_seconds = peak_memory(stream, X_path, y_path)
    _, fit_peak, fit_seconds = peak_memory(fit_in_memory, X_path, y_path)
    file_mb.append((X_path.stat().st_size + y_path.stat().st_size) / 1e6)
    stream_mb.append(stream_peak / 1e6)
    fit_mb.append(fit_peak / 1e6)
    print(
        f"file {file_mb[-1]:5.1f} MB | peak: streaming {stream_mb[-1]:5.2f} MB "
        f"({stream_seconds:.1f} s), in memory {fit_mb[-1]:5.1f} MB ({fit_seconds:.1f} s)"
    )

# %%
# The memory held against the file size
# -------------------------------------
# Loading the file costs its size and more (the one-hot targets and per-row
# bookkeeping of ``fit``); streaming holds the same fraction of a megabyte
# whatever the file, set by ``CHUNK_ROWS``.
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.plot(file_mb, file_mb, ":", color="grey", label="file size")
ax.plot(file_mb, fit_mb, "o-", label="np.load + fit")
ax.plot(file_mb, stream_mb, "o-", label=f"memory map + partial_fit ({CHUNK_ROWS} rows)")
ax.set_xlabel("file size (MB)")
ax.set_ylabel("peak memory held (MB)")
ax.set_title("Peak traced memory of one training epoch")
ax.legend()
plt.show()

# %%
# Same accuracy as the in-memory fit
# ----------------------------------
# Three passes over the largest file, streamed, against three epochs of
# ``fit`` on the loaded file. Both see every row three times with the same
# minibatch size; streaming only shuffles within a chunk instead of across
# the file. Shuffle the rows once when writing the file if it is sorted (by
# date, by class), so that every chunk looks like the whole.
streamed = stream(*files[-1], passes=3)
in_memory = fit_in_memory(*files[-1], passes=3)
print(f"samples seen: streaming {streamed.t_}, in memory {in_memory.t_}")
print(f"test accuracy: streaming {streamed.score(X_test, y_test):.4f}")
print(f"test accuracy: in memory {in_memory.score(X_test, y_test):.4f}")

# %%
# Clean up
# --------
# Remove the temporary files.
tmp.cleanup()

"""The machine's measured float32 matrix-product throughput: the yardstick for "share of peak".

A network's achieved GFLOP/s (2 x MACs / latency) only means something next to what this machine
reaches on the friendliest possible workload, measured in the same run under the same load. That
is a large square float32 matrix product: numpy's BLAS always, torch's when PyTorch is benchmarked
(its CPU kernels may use another BLAS and thread count).
"""

import logging
import time

import numpy as np

__all__ = ["measure_matmul_peak", "measure_peaks"]

logger = logging.getLogger(__name__)


def _best_rate(matmul, n, seconds, min_repeats=3):
    """Best GFLOP/s over repeats of ``matmul()`` (one n x n x n product) within ``seconds``."""
    matmul()  # warm-up: thread pools start, caches fill
    best = float("inf")
    start = time.perf_counter()
    repeats = 0
    while repeats < min_repeats or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        matmul()
        best = min(best, time.perf_counter() - t0)
        repeats += 1
    return 2.0 * n ** 3 / best / 1e9, repeats


def measure_matmul_peak(library="numpy", n=1024, seconds=1.0):
    """Float32 ``n x n`` matrix-product throughput in GFLOP/s with ``library`` ("numpy"/"torch").

    Returns ``{"library", "n", "gflops", "repeats", "threads"}``; the best repeat counts, since
    the peak is what the hardware can do when nothing else gets in the way.
    """
    rng = np.random.RandomState(0)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    threads = None
    if library == "numpy":
        out = np.empty((n, n), dtype=np.float32)

        def matmul():
            np.dot(a, b, out=out)
    elif library == "torch":
        import torch
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        tout = torch.empty((n, n), dtype=torch.float32)
        threads = torch.get_num_threads()

        def matmul():
            torch.mm(ta, tb, out=tout)
    else:
        raise ValueError("library must be 'numpy' or 'torch', not {!r}".format(library))
    gflops, repeats = _best_rate(matmul, n, seconds)
    logger.info("float32 %dx%d matmul peak with %s: %.1f GFLOP/s (%d repeats)",
                n, n, library, gflops, repeats)
    return {"library": library, "n": n, "gflops": gflops, "repeats": repeats, "threads": threads}


def measure_peaks(with_torch=False, n=1024, seconds=1.0):
    """``{"numpy": {...}, "torch": {...}}`` (torch only when asked for and importable)."""
    peaks = {"numpy": measure_matmul_peak("numpy", n, seconds)}
    if with_torch:
        try:
            peaks["torch"] = measure_matmul_peak("torch", n, seconds)
        except ImportError:
            logger.info("torch is not installed: no torch matmul peak")
    return peaks

"""The machine's float32 throughput: the yardstick for "share of peak", measured and estimated.

A network's achieved GFLOP/s (2 x MACs / latency) only means something next to what this machine
reaches on the friendliest workload, measured in the same run under the same load: the best of
several float32 matrix-product sizes (one 1024 x 1024 product under-read this machine: LinkNet's
convolutions beat it, the README once showed 105 %), with numpy's BLAS always and torch's when
PyTorch is benchmarked (its CPU kernels may use another BLAS and thread count). Beside it, the
paper figure: FMA width x FMA units x cores x clock (``theoretical_peak``), an estimate, since
neither the units per core nor the boost clock can be read reliably in a VM.
"""

import logging
import os
import re
import time

import numpy as np

__all__ = ["measure_matmul_peak", "measure_peaks", "theoretical_peak", "GEMM_SIZES"]

logger = logging.getLogger(__name__)

#: matrix sizes tried; the best rate counts (small ones fit the caches, large ones the cores)
GEMM_SIZES = (256, 512, 1024, 2048)


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


def _matmul(library, n):
    """``(product function, threads)`` of one n x n float32 product with ``library``."""
    rng = np.random.RandomState(0)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    if library == "numpy":
        out = np.empty((n, n), dtype=np.float32)
        return lambda: np.dot(a, b, out=out), None
    if library == "torch":
        import torch
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        tout = torch.empty((n, n), dtype=torch.float32)
        return lambda: torch.mm(ta, tb, out=tout), torch.get_num_threads()
    raise ValueError("library must be 'numpy' or 'torch', not {!r}".format(library))


def measure_matmul_peak(library="numpy", sizes=GEMM_SIZES, seconds=1.0):
    """Float32 matrix-product throughput in GFLOP/s with ``library`` ("numpy"/"torch"): the best
    over ``sizes`` (n x n x n products), ``seconds`` spread over them.

    Returns ``{"library", "n" (the best size), "gflops", "repeats", "threads", "by_size"}``; the
    best repeat counts, since the peak is what the hardware can do when nothing gets in the way.
    """
    if isinstance(sizes, int):
        sizes = (sizes,)
    by_size, repeats, threads = {}, 0, None
    for n in sizes:
        matmul, threads = _matmul(library, n)
        by_size[n], count = _best_rate(matmul, n, seconds / len(sizes))
        repeats += count
    best = max(by_size, key=by_size.get)
    logger.info("float32 matmul peak with %s: %.1f GFLOP/s at %d (%s)", library, by_size[best],
                best, ", ".join("{} {:.1f}".format(n, g) for n, g in sorted(by_size.items())))
    return {"library": library, "n": best, "gflops": by_size[best], "repeats": repeats,
            "threads": threads, "by_size": by_size}


def _cpu_facts():
    """(flags, MHz, logical CPUs) from /proc/cpuinfo and sysfs (Linux); empty elsewhere."""
    flags, mhz = set(), None
    try:
        with open("/proc/cpuinfo") as handle:
            text = handle.read()
    except (IOError, OSError):
        text = ""
    found = re.search(r"^flags\s*:\s*(.*)$", text, re.M)
    if found:
        flags = set(found.group(1).split())
    try:  # the rated maximum where the kernel exposes it (not in most VMs)
        with open("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq") as handle:
            mhz = int(handle.read().strip()) / 1000.0
    except (IOError, OSError, ValueError):
        found = re.search(r"^cpu MHz\s*:\s*([\d.]+)", text, re.M)
        mhz = float(found.group(1)) if found else None
    return flags, mhz, os.cpu_count()


def theoretical_peak(cores=None, fma_units=2):
    """The paper float32 peak of this CPU in GFLOP/s, or None where it cannot be estimated:
    lanes (16 with AVX-512, 8 with AVX2+FMA, 4 with NEON/SSE) x 2 (an FMA is two FLOPs) x
    ``fma_units`` per core (2 on Zen 2+/Skylake+; an assumption) x cores (usable) x clock
    (the rated maximum, else the current one: a boost clock above it makes this an under-read).
    Returns ``{"gflops", "lanes", "fma_units", "cores", "mhz"}``."""
    flags, mhz, logical = _cpu_facts()
    if not mhz:
        return None
    if "avx512f" in flags:
        lanes = 16
    elif "avx2" in flags and "fma" in flags:
        lanes = 8
    else:
        lanes = 4
    if cores is None:
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cores = logical or 1
    gflops = lanes * 2 * fma_units * cores * mhz / 1000.0
    return {"gflops": gflops, "lanes": lanes, "fma_units": fma_units, "cores": cores,
            "mhz": mhz}


def measure_peaks(with_torch=False, sizes=GEMM_SIZES, seconds=1.0):
    """``{"numpy": {...}, "torch": {...}}`` (torch only when asked for and importable), plus
    ``"theoretical"`` where it can be estimated (``theoretical_peak``)."""
    peaks = {"numpy": measure_matmul_peak("numpy", sizes, seconds)}
    if with_torch:
        try:
            peaks["torch"] = measure_matmul_peak("torch", sizes, seconds)
        except ImportError:
            logger.info("torch is not installed: no torch matmul peak")
    theory = theoretical_peak()
    if theory is not None:
        peaks["theoretical"] = theory
    return peaks

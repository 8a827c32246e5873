"""Latency and throughput of model files on each backend: warm-up, then timed single runs.

Every iteration is timed on its own with ``time.perf_counter`` around ``runner.run(batch)``
(input already normalised and in memory, class maps back in host memory), so the figures are
the model's, not the camera's or the decoder's. On a Jetson ``tegrastats`` is sampled during
the timed loop for power per rail and FPS per watt. One backend failing never stops the others.
"""

import logging
import os
import time

import numpy as np

from linknet_edge.deprecation import renamed_keywords
from linknet_edge.errors import BackendUnavailable
from linknet_edge.progress import track
from linknet_edge.runtime.environment import record_environment
from linknet_edge.sizes import format_size

from .macs import MacCounter
from .peak import measure_peaks
from .results import (FAILED, OK, UNAVAILABLE, BenchmarkReport, file_megabytes, one_line,
                      power_columns, throughput, timing_stats)
from .tegrastats import TegrastatsSampler

__all__ = ["LatencyReport", "measure_latency", "parse_backend", "time_runner"]

logger = logging.getLogger(__name__)


class LatencyReport(BenchmarkReport):
    """Rows of ``measure_latency``: one per model file, backend and input size. Every row was
    asked for by name (its model file was), so any that did not run fails ``check()``."""

    kind = "latency"
    columns = ("model", "backend", "provider", "precision", "size", "batch", "status",
               "mean_ms", "std_ms", "min_ms", "p50_ms", "p90_ms", "p99_ms", "fps", "gmacs",
               "gflops", "peak_share", "power_w", "peak_power_w", "fps_per_w", "file_mb",
               "reason")

    def asked_rows(self):
        return self.rows

    def row_name(self, row):
        return "{} on {}{}".format(row.get("model"), row.get("backend") or "no backend",
                                   " at " + row["size"] if row.get("size") else "")


def parse_backend(text):
    """``"onnxruntime:cpu"`` -> ("onnxruntime", {"providers": ["cpu"]}); plain names pass through.

    The part after the colon picks the device: an ONNX Runtime provider ("cpu", "cuda",
    "tensorrt" or a full provider name), a torch device ("cpu", "cuda"), a TensorRT GPU index.
    """
    from linknet_edge.runtime.backends import get_backend
    name, _, target = str(text).partition(":")
    get_backend(name)  # an unknown name fails here, listing the choices
    if not target:
        return name, {}
    if name == "onnxruntime":
        return name, {"providers": [target]}
    if name == "tensorrt" and target.isdigit():
        target = int(target)  # a GPU index
    return name, {"device": target}


def time_runner(runner, batch, warmup, iters, power_interval_ms=100):
    """Run ``runner.run(batch)`` ``warmup`` times, then time ``iters`` runs one by one.

    Returns (list of seconds per run, power summary or None off a Jetson).
    """
    for _ in range(warmup):
        runner.run(batch)
    seconds = []
    with TegrastatsSampler(power_interval_ms) as sampler:
        for _ in range(iters):
            start = time.perf_counter()
            runner.run(batch)
            seconds.append(time.perf_counter() - start)
    return seconds, sampler.summary()


def _resizable(runner):
    # The PyTorch model is fully convolutional and takes any multiple of 32; exported files and
    # engines have the static input shape they were built with.
    return runner.name.startswith("pytorch")


def _time_size(runner, path, size, batch, warmup, iters, counter, peak_gflops, row):
    row.update(size=format_size(*size), provider=runner.name, precision=runner.precision)
    if tuple(size) != tuple(runner.input_size) and not _resizable(runner):
        row.update(status=UNAVAILABLE, reason="the model's input is fixed at {}; export it at {} "
                   "to time that size".format(format_size(*runner.input_size),
                                              format_size(*size)))
        return row
    frames = np.random.RandomState(0).randint(0, 256, (batch,) + tuple(size) + (3,))
    data = runner.prepare(list(frames.astype(np.uint8)), tuple(size))
    try:
        seconds, power = time_runner(runner, data, warmup, iters)
    except Exception as exc:  # any backend error becomes this row's status; the rest go on
        row.update(status=FAILED, reason=one_line(exc))
        return row
    stats = timing_stats(seconds, batch)
    row.update(stats)
    row.update(throughput(counter.count(path, runner.spec, size), batch, stats["mean_ms"],
                          peak_gflops))
    row.update(power_columns(power, stats["fps"]))
    row["status"] = OK
    return row


def _bench_file(path, label, options, sizes, batch, warmup, iters, counter, peak_gflops):
    from linknet_edge.runtime.backends import load_model
    base = {"model": os.path.basename(str(path)), "path": str(path), "backend": label,
            "batch": batch, "file_mb": file_megabytes(path)}
    name = label.partition(":")[0]
    try:
        runner = load_model(str(path), backend=name, **options)
    except BackendUnavailable as exc:
        return [dict(base, status=UNAVAILABLE, reason=one_line(exc))]
    except Exception as exc:  # a file this backend cannot load: record it and go on
        return [dict(base, status=FAILED, reason=one_line(exc))]
    try:
        sizes = sizes or [runner.input_size]
        logger.debug("timing %s on %s (%s, %s)", path, runner.name, runner.precision,
                    ", ".join(format_size(*s) for s in sizes))
        return [_time_size(runner, path, size, batch, warmup, iters, counter, peak_gflops,
                           dict(base)) for size in sizes]
    finally:
        runner.close()


def _plan(model_paths, backends):
    """(path, backend label, load options) for every model file and each backend that runs it."""
    from linknet_edge.runtime.backends import backend_for_path
    chosen = [(b, parse_backend(b)) for b in backends] if backends else None
    plan = []
    for path in model_paths:
        try:
            native = backend_for_path(path)
        except BackendUnavailable as exc:
            plan.append((path, None, one_line(exc)))
            continue
        if chosen is None:
            plan.append((path, native, {}))
            continue
        matching = [(label, options) for label, (name, options) in chosen if name == native]
        if not matching:
            plan.append((path, None, "{} runs on {}, not on {}".format(
                os.path.basename(str(path)), native, ", ".join(b for b in backends))))
        plan.extend((path, label, options) for label, options in matching)
    return plan


@renamed_keywords(batch="batch_size")
def measure_latency(model_paths, sizes=None, batch_size=1, warmup=10, iters=50, backends=None,
                    peak_seconds=1.0):
    """Time each model file on each backend that runs it; returns a ``LatencyReport``.

    ``sizes``: (H, W) pairs to time (default: each model's own input size; only the PyTorch
    backend takes other sizes). ``backends``: names like "onnxruntime", "onnxruntime:cpu",
    "pytorch:cuda", "tensorrt" (default: the one each file's suffix implies).
    ``batch_size`` frames per call.
    """
    if batch_size < 1 or iters < 1 or warmup < 0:
        raise ValueError("batch and iters must be >= 1 and warmup >= 0")
    plan = _plan(model_paths, backends)
    with_torch = any(label and label.startswith("pytorch") for _, label, _ in plan)
    peaks = measure_peaks(with_torch=with_torch, seconds=peak_seconds)
    report = LatencyReport([], record_environment(), {
        "sizes": [format_size(*s) for s in sizes] if sizes else None, "batch": batch_size,
        "warmup": warmup, "iters": iters, "backends": list(backends) if backends else None},
        peaks)
    counter = MacCounter()
    for path, label, options in track(plan, "bench latency", "model", log=logger,
                                      label=lambda step: "{} on {}".format(
                                          os.path.basename(str(step[0])), step[1] or "-")):
        if label is None:
            report.rows.append({"model": os.path.basename(str(path)), "path": str(path),
                                "batch": batch_size, "status": UNAVAILABLE, "reason": options})
            continue
        report.rows.extend(_bench_file(path, label, options, sizes, batch_size, warmup, iters,
                                       counter, report.peak_gflops))
    return report

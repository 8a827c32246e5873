"""Accuracy and speed of every deployable form of a model file against it, on labelled frames.

The model is a checkpoint (the reference is PyTorch FP32), an ONNX file or an engine (the
reference is that file, scored torch-free: a Jetson scores its own engine). Exports what it
needs (ONNX FP32/FP16/INT8, TensorRT engines where TensorRT is here; ``variants`` says which
each file derives), runs every variant over the same split with the project's own scoring loop
(``evaluate_predictor``: frames resized to the network input, class maps resized back and scored
at label resolution) and reports per variant: status, file size, mIoU, the mIoU change and pixel
agreement against the reference (class maps compared at network resolution), ms per frame
(batch 1, inference only) and FPS.
``--min-miou`` / ``--max-miou-drop`` turn the table into a check (``check_accuracy_floors``), as
does a named variant that did not run.
"""

import collections
import logging
import os
import time

import numpy as np

from linknet_edge.deprecation import renamed_keywords
from linknet_edge.errors import (AccuracyFloorError, BackendUnavailable, BenchmarkError,
                                 SpecMismatch)
from linknet_edge.progress import track
from linknet_edge.runtime.environment import record_environment
from linknet_edge.sizes import format_size

from .macs import MacCounter
from .peak import measure_peaks
from .results import (FAILED, OK, UNAVAILABLE, BenchmarkReport, file_megabytes, one_line,
                      throughput, timing_stats)
from .variants import (REFERENCE, VariantBuilder, named_variants, reference_variant,
                       select_variants, split_variant)

__all__ = ["AccuracyReport", "AccuracyFloors", "measure_accuracy", "check_accuracy_floors",
           "FAILED_VERIFICATION"]

logger = logging.getLogger(__name__)

#: Status of a file that was made and measured but whose export check did not pass.
FAILED_VERIFICATION = "failed verification"


class AccuracyReport(BenchmarkReport):
    """Rows of ``measure_accuracy``, one per variant; mIoU and pixel accuracy in percent."""

    kind = "accuracy"
    error = AccuracyFloorError
    columns = ("variant", "backend", "precision", "provider", "status", "frames", "size",
               "file_mb", "miou", "miou_delta", "agreement", "pixel_accuracy", "mean_ms",
               "std_ms", "p50_ms", "p90_ms", "p99_ms", "fps", "speedup", "gmacs", "gflops",
               "peak_share", "file", "reason")

    def asked_rows(self):
        """The variants the ``backends`` given matched (the reference only if named)."""
        asked = self.settings.get("asked") or ()
        return [row for row in self.rows if row.get("variant") in asked]

    def row_name(self, row):
        return str(row.get("variant"))

    def check(self):
        """``BenchmarkError`` for rows that did not run, then the floors' error."""
        rows = self.row_failures()
        if rows:
            raise BenchmarkError(self.summary())
        return super(AccuracyReport, self).check()

    def failures(self):
        """The rows that did not run (``row_failures``), then one line per variant that misses
        a floor set in ``settings``."""
        lines = self.row_failures()
        min_miou = self.settings.get("min_miou")
        max_drop = self.settings.get("max_miou_drop")
        if min_miou is None and max_drop is None:
            return lines
        for row in self.rows:
            name = row["variant"]
            if row["status"] == UNAVAILABLE:
                continue
            if row["status"] == FAILED:
                lines.append("{} failed: {}".format(name, row.get("reason")))
                continue
            if min_miou is not None and row["miou"] < min_miou:
                lines.append("{}: mIoU {:.2f}% is below --min-miou {:g}".format(
                    name, row["miou"], min_miou))
            delta = row.get("miou_delta")
            if max_drop is not None and delta is not None and -delta > max_drop:
                lines.append("{}: loses {:.2f} points of mIoU against {}, more than "
                             "--max-miou-drop {:g}".format(
                                 name, -delta, self.settings.get("reference", REFERENCE),
                                 max_drop))
        return lines


class _TimedPredictor(object):
    """Wraps ``runner.run`` for ``evaluate_predictor``: times each batch-1 call, keeps or compares
    the class maps (network resolution) with the reference's."""

    def __init__(self, runner, reference_maps=None, keep=False):
        self.runner = runner
        self.seconds = []
        self.maps = [] if keep else None
        self.reference_maps = reference_maps
        self.same = 0
        self.pixels = 0

    def __call__(self, batch):
        start = time.perf_counter()
        classes = self.runner.run(batch)
        self.seconds.append(time.perf_counter() - start)
        maps = np.asarray(classes).astype(np.uint8)
        for frame in maps:
            if self.maps is not None:
                self.maps.append(frame)
            if self.reference_maps is not None:
                reference = self.reference_maps[len(self.seconds) - 1]
                if reference.shape == frame.shape:
                    self.same += int(np.count_nonzero(reference == frame))
                self.pixels += frame.size
        return classes

    @property
    def agreement(self):
        return self.same / float(self.pixels) if self.pixels else None


def _calibration_images(kind, root, split, count):
    """Up to ``count`` evenly spread image files of the train split (else of ``split``)."""
    from linknet_edge.export.sample_images import spread_evenly
    from linknet_edge.data import open_dataset
    for source in ("train", split):
        try:
            reader = open_dataset(kind, root, source)
        except Exception as exc:  # no train split in this layout: fall back to the scored one
            logger.info("no %s split for calibration (%s)", source, one_line(exc))
            continue
        if source == split:
            logger.warning("calibrating INT8 on the %s split that is also scored", split)
        return [reader.paths(i)[0] for i in spread_evenly(range(len(reader)), count)]
    return []


def _run_variant(name, builder, reader, size, limit, warmup, reference_maps, counter,
                 peak_gflops):
    """Measure one variant; returns (row, predictor or None)."""
    from linknet_edge.evaluation import check_dataset_classes, evaluate_predictor
    from linknet_edge.runtime.backends import load_model
    backend, precision = split_variant(name)
    row = {"variant": name, "backend": backend, "precision": precision}
    try:
        path, problem = builder.prepare(name)
        row.update(file=path, file_mb=file_megabytes(path))
        runner = load_model(path, backend=backend)
    except BackendUnavailable as exc:
        return dict(row, status=UNAVAILABLE, reason=one_line(exc)), None
    except Exception as exc:  # a variant that cannot be made or loaded: record, go on
        return dict(row, status=FAILED, reason=one_line(exc)), None
    try:
        check_dataset_classes(reader, runner.spec, path)
        input_size = tuple(size or runner.input_size)
        row.update(provider=runner.name, size=format_size(*input_size))
        warm = runner.prepare([np.zeros(input_size + (3,), dtype=np.uint8)], input_size)
        for _ in range(warmup):
            runner.run(warm)
        predictor = _TimedPredictor(runner, reference_maps, keep=name == builder.reference)
        matrix = evaluate_predictor(predictor, reader, runner.spec, batch_size=1, limit=limit,
                                    input_size=input_size, prepare=runner.prepare)
    except Exception as exc:  # same: one failing backend must not stop the benchmark
        return dict(row, status=FAILED, reason=one_line(exc)), None
    finally:
        runner.close()
    summary = matrix.summary()
    row.update(frames=len(predictor.seconds), miou=100.0 * summary["miou"],
               pixel_accuracy=100.0 * summary["pixel_accuracy"], agreement=predictor.agreement,
               status=OK if problem is None else FAILED_VERIFICATION, reason=problem)
    row.update(timing_stats(predictor.seconds))
    row.update(throughput(counter.count(path, runner.spec, input_size), 1, row["mean_ms"],
                          peak_gflops))
    return row, predictor


class AccuracyFloors(collections.namedtuple("AccuracyFloors", "min_miou max_miou_drop")):
    """``min_miou``: every variant's mIoU must reach it (percent); ``max_miou_drop``: no variant
    may lose more mIoU points than this against the reference. None: no floor."""

    def __new__(cls, min_miou=None, max_miou_drop=None):
        return super(AccuracyFloors, cls).__new__(cls, min_miou, max_miou_drop)


def _check_size(model, size):
    """An ONNX file or engine runs only at its own size: refuse another up front."""
    from linknet_edge.export.deploy.artifact import read_artifact
    own = tuple(read_artifact(model).spec.input_size)
    if tuple(size) != own:
        raise SpecMismatch("{} runs at {} only; drop --size, or give the checkpoint to export "
                           "it at {}".format(model, format_size(*own), format_size(*size)))


@renamed_keywords(out_dir="out")
def measure_accuracy(model, labelled, size=None, backends=None, out="bench-accuracy",
                     floors=None, warmup=2, calib_count=32, peak_seconds=1.0):
    """Make, run and score every variant of ``model`` (a ``.pt`` checkpoint, ``.onnx`` file or
    ``.engine``) on ``labelled`` (a ``linknet_edge.data.LabelledSplit``); returns an
    ``AccuracyReport`` whose first row is ``model`` itself, the reference.

    ``size`` = (H, W) network input (default: the model's; only a checkpoint takes another);
    ``backends``: backend or variant names (see ``variants.select_variants``); exported files go
    to ``out/models``. ``floors`` (``AccuracyFloors``) are recorded for
    ``check_accuracy_floors`` to apply.
    """
    floors = floors or AccuracyFloors()
    kind, root, split, limit = labelled
    names = select_variants(backends, reference_variant(model))
    asked = [v for v in named_variants(backends) if v in names] if backends else []
    if size is not None and names[0] != REFERENCE:
        _check_size(model, size)
    reader = labelled.open()
    builder = VariantBuilder(model, os.path.join(out, "models"), size,
                             _calibration_images(kind, root, split, calib_count), calib_count)
    from linknet_edge.runtime.backends import is_available
    peaks = measure_peaks(with_torch=any(split_variant(n)[0] == "pytorch" for n in names)
                          and is_available("pytorch"), seconds=peak_seconds)
    report = AccuracyReport([], record_environment(), {
        "model": str(model), "reference": builder.reference, "dataset": kind, "root": str(root),
        "split": split, "size": format_size(*size) if size else None, "limit": limit,
        "variants": names, "asked": asked, "min_miou": floors.min_miou,
        "max_miou_drop": floors.max_miou_drop,
        "scored_at": "label resolution", "agreement_at": "network input resolution"}, peaks)
    counter = MacCounter()
    reference = None
    for name in track(names, "bench accuracy", "variant", log=logger):
        row, predictor = _run_variant(name, builder, reader, size, limit, warmup,
                                      reference.maps if reference else None, counter,
                                      report.peak_gflops)
        if name == builder.reference and row["status"] == OK:
            reference = predictor
            reference_miou = row["miou"]
        if row.get("miou") is not None and reference is not None and \
                name != builder.reference:
            row["miou_delta"] = row["miou"] - reference_miou
        report.rows.append(row)
    _speedups(report.rows)
    return report


def _speedups(rows):
    """``speedup``: its backend's FP32 median ms per frame over the row's (measured in the same
    run; medians, so a burst of load on a shared machine does not decide it)."""
    fp32 = dict((row["backend"], row["p50_ms"]) for row in rows
                if row.get("precision") == "fp32" and row.get("p50_ms"))
    for row in rows:
        if row.get("p50_ms") and row.get("backend") in fp32:
            row["speedup"] = fp32[row["backend"]] / row["p50_ms"]


def check_accuracy_floors(report):
    """Raise ``BenchmarkError`` naming the variants that did not run (any named one; all of
    them by default), else ``AccuracyFloorError`` naming the first that missed a floor."""
    return report.check()

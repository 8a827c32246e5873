"""Reduced-precision ONNX (FP16, INT8) and how far it drifts from its FP32 source.

``convert_precision`` writes the FP16 or INT8 file, then runs both files on ONNX Runtime's CPU
provider over the same preprocessed images: pixel agreement of the class maps, logit errors,
inf/NaN (FP16 overflow) and, given a labelled split, the mIoU of both.
"""

import logging

import numpy as np

from linknet_edge.atomic import check_writable
from linknet_edge.deprecation import renamed_keywords
from linknet_edge.errors import ExportError, SpecMismatch
from linknet_edge.images import find_images
from linknet_edge.onnx_file import read_onnx_info
from linknet_edge.preprocessing import prepare_batch
from linknet_edge.progress import Progress
from linknet_edge.reports import Report
from linknet_edge.runtime.backends import load_model
from linknet_edge.tables import format_rows

from .agreement import compare_logits
from .sample_images import select_images, spread_evenly
from .tools import require_tools

__all__ = ["PrecisionReport", "convert_precision", "compare_precision", "PRECISIONS"]

logger = logging.getLogger(__name__)

PRECISIONS = ("fp16", "int8")
_TARGET_WORDS = {"tensorrt": "TensorRT: symmetric Q/DQ", "cpu": "CPUs: ONNX Runtime U8S8 QOperator"}


class PrecisionReport(Report):
    """FP16/INT8 file vs its FP32 source. ``miou`` is ``(fp32, candidate)`` or None."""

    error = ExportError

    def __init__(self, precision, reference, candidate, images, agreement, miou=None,
                 labelled=None, min_agreement=None, peaks=None, target=None):
        self.precision = precision
        #: INT8 only: the form's target ("tensorrt" or "cpu")
        self.target = target
        self.reference = reference
        self.candidate = candidate
        self.images = images
        self.agreement = agreement
        self.miou = miou
        self.labelled = labelled
        self.min_agreement = min_agreement
        #: FP16 only: {tensor: max |value|} of the FP32 run (see ``fp16.activation_peaks``)
        self.peaks = peaks

    @property
    def overflow(self):
        """Tensors whose FP32 values exceed FP16's range (65504): inf in an FP16 engine."""
        from .fp16 import FP16_MAX
        return sorted(n for n, v in (self.peaks or {}).items() if v > FP16_MAX)

    def failures(self):
        """inf/NaN logits, activations beyond FP16's range, agreement below the floor."""
        out = []
        if self.agreement.nonfinite:
            out.append("{} inf/NaN logits".format(self.agreement.nonfinite))
        if self.overflow:
            out.append("{} tensors beyond FP16's range".format(len(self.overflow)))
        if self.min_agreement and self.agreement.pixel_agreement < self.min_agreement:
            out.append("agreement {:.3%} < {:.3%}".format(self.agreement.pixel_agreement,
                                                          self.min_agreement))
        return out

    def summary(self):
        text = "{}: {} agrees with FP32 on {:.3%} of pixels".format(
            self.candidate, self.precision.upper(), self.agreement.pixel_agreement)
        if self.agreement.nonfinite:
            text += ", {} inf/NaN logits (FP16 overflow)".format(self.agreement.nonfinite)
        if self.overflow:
            text += ", {} tensors beyond FP16's range (overflow: {})".format(
                len(self.overflow), self.overflow[0])
        if self.miou is not None:
            text += ", mIoU {:.2%} -> {:.2%}".format(*self.miou)
        return text

    def format(self):
        kind = self.precision.upper() + (" for {}".format(_TARGET_WORDS[self.target])
                                          if self.target else "")
        rows = [("file", "{} ({})".format(self.candidate, kind)),
                ("reference", "{} (FP32)".format(self.reference)),
                ("images", self.images)]
        rows += self.agreement.rows("vs FP32:")
        if self.peaks:
            name = max(self.peaks, key=self.peaks.get)
            rows.append(("largest FP32 activation", "{:.4g} in {} (FP16 max 65504){}".format(
                self.peaks[name], name, ": OVERFLOW in {} tensors".format(len(self.overflow))
                if self.overflow else "")))
        if self.miou is not None:
            rows.append(("mIoU FP32 -> {}".format(self.precision.upper()),
                         "{:.2%} -> {:.2%} ({:+.2f} points) on {}".format(
                             self.miou[0], self.miou[1], 100 * (self.miou[1] - self.miou[0]),
                             self.labelled)))
        if self.min_agreement is not None:
            rows.append(("result", "PASS" if self.passed else "FAIL"))
        return format_rows("{} vs FP32 (ONNX Runtime, CPU)".format(self.precision.upper()), rows)


def _miou(paths, spec, labelled, count):
    """mIoU of each ONNX file on ``count`` frames of ``labelled`` = (kind, root, split)."""
    from linknet_edge.data import open_dataset
    from linknet_edge.metrics import ConfusionMatrix
    kind, root, split = labelled
    reader = open_dataset(kind, root, split, size=tuple(spec.input_size))
    if reader.num_classes != spec.num_classes:
        raise SpecMismatch("{} {} has {} classes but the model {}".format(
            kind, root, reader.num_classes, spec.num_classes))
    indices = spread_evenly(range(len(reader)), count)
    pairs = [reader.read(i) for i in indices]
    batch = prepare_batch([rgb[..., ::-1] for rgb, _ in pairs], spec)  # readers give RGB
    labels = np.stack([lab for _, lab in pairs])
    scores = []
    for path in paths:
        matrix = ConfusionMatrix(spec.num_classes, reader.ignore_index)
        with load_model(path, "onnxruntime", providers=["cpu"]) as runner:
            matrix.update(runner.run(batch), labels)
        scores.append(matrix.summary()["miou"])
    return tuple(scores), "{} {} frames of {}".format(len(indices), split, root)


def _cpu_logits(path, batch):
    with load_model(path, "onnxruntime", providers=["cpu"]) as runner:
        return runner.run_logits(batch)


@renamed_keywords(label_count="limit")
def compare_precision(reference, candidate, precision, images=None, count=4, labelled=None,
                      limit=20, min_agreement=None):
    """A ``PrecisionReport`` for ``candidate`` against the FP32 ``reference`` ONNX file."""
    from linknet_edge.onnx_file import read_onnx_spec
    spec = read_onnx_spec(reference)
    frames, description = select_images(images, count)
    batch = prepare_batch(frames, spec)
    agreement = compare_logits(_cpu_logits(reference, batch), _cpu_logits(candidate, batch))
    peaks = None
    if precision == "fp16":
        from .fp16 import activation_peaks
        peaks = activation_peaks(reference, batch)
    miou, where = None, None
    if labelled is not None:
        miou, where = _miou((reference, candidate), spec, labelled, limit)
    target = None
    if precision == "int8":
        from linknet_edge.onnx_file import read_onnx_info
        from .quantize import TARGET_KEY
        target = read_onnx_info(candidate).metadata.get(TARGET_KEY)
    report = PrecisionReport(precision, reference, candidate, description, agreement, miou,
                             where, min_agreement, peaks, target)
    logger.info("%s", report.summary())
    return report


@renamed_keywords(label_count="limit", method="calibration")
def convert_precision(onnx_path, out_path, precision, calib=None, calib_count=32, images=None,
                      count=4, labelled=None, limit=20, min_agreement=None,
                      target="tensorrt", calibration="minmax"):
    """Write ``onnx_path`` (FP32, from ``export_onnx``) as ``precision`` ("fp16" or "int8") to
    ``out_path`` and compare it with the FP32 file; returns a ``PrecisionReport``.

    INT8 calibrates on ``calib`` (real images) with the ``calibration`` method and takes the
    form of ``target`` ("tensorrt": symmetric Q/DQ; "cpu": ONNX Runtime's U8S8 QOperator form; see
    ``export.quantize``); agreement is measured on ``count`` of ``images`` (default: the
    ``calib`` images, else synthetic street frames). ``labelled`` = (dataset kind, root, split)
    adds the mIoU of both files on ``limit`` frames spread over the split. The packages it needs
    are checked first (``export.tools``).
    """
    if precision not in PRECISIONS:
        raise ExportError("unknown precision {!r}; choose from {}".format(
            precision, ", ".join(PRECISIONS)))
    require_tools(precision, "--precision {}".format(precision))
    read_onnx_info(onnx_path)  # a missing or foreign file: one line, before any work
    check_writable(out_path, "-o")
    for source in (calib, images):
        if source is not None:
            find_images(source, ExportError)
    with Progress(2, "quantize", log=logger) as progress:
        if precision == "fp16":
            progress.step("converting to FP16")
            from .fp16 import convert_fp16
            convert_fp16(onnx_path, out_path)
        else:
            progress.step("calibrating INT8 ({}, {}) on {} images".format(target, calibration,
                                                                        calib_count))
            from .quantize import quantize_int8
            quantize_int8(onnx_path, out_path, calib, calib_count, target=target,
                          method=calibration)
        progress.step("comparing with FP32 on {} images{}".format(
            count, " and {} labelled frames".format(limit) if labelled else ""))
        return compare_precision(onnx_path, out_path, precision,
                                 calib if images is None else images, count, labelled,
                                 limit, min_agreement)

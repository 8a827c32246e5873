"""The deployable forms of one checkpoint that the accuracy benchmark compares, made on demand.

A variant is a backend and a precision: the checkpoint itself on PyTorch (the reference), the
exported ONNX file on ONNX Runtime in FP32, FP16 and two INT8 forms (``onnxruntime-int8``: the
CPU form, U8S8 QOperator; ``onnxruntime-int8-qdq``: the symmetric Q/DQ file TensorRT builds,
run on ONNX Runtime), and TensorRT engines built from the FP32 ONNX file. Each file is made once
into the output folder with the export module's own functions, and each export's verification
result travels with it.
"""

import logging
import os

from linknet_edge.errors import BackendUnavailable, LinkNetEdgeError

__all__ = ["VARIANTS", "REFERENCE", "INT8_TARGETS", "select_variants", "named_variants",
           "VariantBuilder", "split_variant"]

logger = logging.getLogger(__name__)

#: Every variant, reference first.
VARIANTS = ("pytorch-fp32", "onnxruntime-fp32", "onnxruntime-fp16", "onnxruntime-int8",
            "onnxruntime-int8-qdq", "tensorrt-fp32", "tensorrt-fp16", "tensorrt-int8")
REFERENCE = VARIANTS[0]
#: ONNX Runtime INT8 variant -> the ``export.quantize`` target of its file
INT8_TARGETS = {"onnxruntime-int8": "cpu", "onnxruntime-int8-qdq": "tensorrt"}


def split_variant(name):
    """``"onnxruntime-int8"`` -> ("onnxruntime", "int8"); ``"onnxruntime-int8-qdq"`` too."""
    parts = name.split("-")
    return parts[0], parts[1] if len(parts) > 1 else ""


def select_variants(backends=None):
    """Variant names for ``backends`` (variant names like "onnxruntime-int8" or backend names
    like "onnxruntime" for all its precisions; default all), the PyTorch reference always first.
    """
    if not backends:
        return list(VARIANTS)
    chosen = [REFERENCE] + named_variants(backends)
    return [v for v in VARIANTS if v in chosen]


def named_variants(backends):
    """The variants that ``backends`` (variant or backend names) name, in ``VARIANTS`` order."""
    chosen = []
    for text in backends:
        matches = [v for v in VARIANTS if v == text or split_variant(v)[0] == text]
        if not matches:
            raise LinkNetEdgeError("unknown backend or variant {!r}; choose from {} or {}".format(
                text, ", ".join(sorted(set(split_variant(v)[0] for v in VARIANTS))),
                ", ".join(VARIANTS)))
        chosen.extend(matches)
    return [v for v in VARIANTS if v in chosen]


class VariantBuilder(object):
    """Makes each variant's model file in ``out_dir`` once.

    ``prepare(name)`` returns ``(path, problem)``: ``problem`` is None when the export verified,
    else one line saying what its verification found. It raises ``BackendUnavailable`` where a
    tool is missing here (TensorRT, onnxconverter-common) and other errors when making failed.
    ``calib_images``: real image files for INT8 calibration and export verification.
    """

    def __init__(self, checkpoint, out_dir, size=None, calib_images=None, calib_count=32):
        self.checkpoint = checkpoint
        self.out_dir = out_dir
        self.size = size
        self.calib_images = list(calib_images or [])
        self.calib_count = calib_count
        self._made = {}

    def prepare(self, name):
        if name not in self._made:
            try:
                self._made[name] = (self._make(name), None)
            except Exception as exc:  # remembered, so a dependent variant reports the same cause
                self._made[name] = (None, exc)
        result, error = self._made[name]
        if error is not None:
            raise error
        return result

    def _file(self, name, suffix):
        if not os.path.isdir(self.out_dir):
            os.makedirs(self.out_dir)
        return os.path.join(self.out_dir, "model_{}{}".format(name.split("-", 1)[1], suffix))

    def _images(self, count):
        return self.calib_images[:count] if self.calib_images else None

    def _make(self, name):
        backend, precision = split_variant(name)
        if name == REFERENCE:
            return self.checkpoint, None
        if backend == "onnxruntime" and precision == "fp32":
            return self._export_fp32()
        fp32_path = self._fp32_source(name)
        if backend == "onnxruntime":
            from linknet_edge.export.precision import convert_precision
            report = convert_precision(fp32_path, self._file(name, ".onnx"), precision,
                                       calib=self._images(None) if precision == "int8" else None,
                                       calib_count=self.calib_count, images=self._images(None),
                                       target=INT8_TARGETS.get(name, "tensorrt"))
            return report.candidate, None if report.passed else report.summary()
        if backend == "tensorrt":
            from linknet_edge.export.tensorrt import build_engine
            calib_dir = os.path.dirname(self.calib_images[0]) if self.calib_images else None
            path = build_engine(fp32_path, self._file(name, ".engine"), precision=precision,
                                calib_dir=calib_dir if precision == "int8" else None)
            return path, None
        raise LinkNetEdgeError("no recipe for variant {!r}".format(name))

    def _export_fp32(self):
        from linknet_edge.export.onnx import export_onnx
        # In-graph ArgMax ("classes") is the deployment form: C times fewer bytes off the device.
        report = export_onnx(self.checkpoint, self._file("onnxruntime-fp32", ".onnx"),
                             size=self.size, argmax=True, verify=True, images=self._images(4))
        problem = None
        if not report.passed:
            problem = "verification against PyTorch failed: " + "; ".join(
                report.verification.failures())
        return report.path, problem

    def _fp32_source(self, name):
        try:
            path, problem = self.prepare("onnxruntime-fp32")
        except BackendUnavailable:
            raise
        except Exception as exc:
            raise LinkNetEdgeError("{} is made from the FP32 ONNX export, which failed: {}".format(
                name, exc))
        if problem:
            logger.warning("%s is made from an FP32 export that failed verification", name)
        return path

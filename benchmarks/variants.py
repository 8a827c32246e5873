"""The deployable forms of one model file that the accuracy benchmark compares, made on demand.

A variant is a backend and a precision: the checkpoint itself on PyTorch, the exported ONNX file
on ONNX Runtime in FP32, FP16 and two INT8 forms (``onnxruntime-int8``: the CPU form, U8S8
QOperator; ``onnxruntime-int8-qdq``: the symmetric Q/DQ file TensorRT builds, run on ONNX
Runtime), and TensorRT engines built from the FP32 ONNX file. The given file is the reference
(``reference_variant``): a checkpoint derives every variant; an FP32 ONNX file every one but
PyTorch, without torch; any other ONNX file or an engine only itself (``derivable_variants``).
Each file is made once into the output folder with the export module's own functions, and each
export's verification result travels with it.
"""

import logging
import os

from linknet_edge.errors import BackendUnavailable, LinkNetEdgeError

__all__ = ["VARIANTS", "REFERENCE", "INT8_TARGETS", "select_variants", "named_variants",
           "VariantBuilder", "split_variant", "reference_variant", "derivable_variants"]

logger = logging.getLogger(__name__)

#: Every variant, the checkpoint's first.
VARIANTS = ("pytorch-fp32", "onnxruntime-fp32", "onnxruntime-fp16", "onnxruntime-int8",
            "onnxruntime-int8-qdq", "tensorrt-fp32", "tensorrt-fp16", "tensorrt-int8")
#: The reference variant of a checkpoint.
REFERENCE = VARIANTS[0]
#: ONNX Runtime INT8 variant -> the ``export.quantize`` target of its file
INT8_TARGETS = {"onnxruntime-int8": "cpu", "onnxruntime-int8-qdq": "tensorrt"}


def split_variant(name):
    """``"onnxruntime-int8"`` -> ("onnxruntime", "int8"); ``"onnxruntime-int8-qdq"`` too."""
    parts = name.split("-")
    return parts[0], parts[1] if len(parts) > 1 else ""


def reference_variant(path):
    """The variant a model file is, read without torch: a checkpoint ``pytorch-fp32``, an ONNX
    file ``onnxruntime-`` its graph's precision (INT8: its form), an engine ``tensorrt-`` its
    sidecar's precision. ``ModelFileError``/``SpecError`` naming the file where it cannot tell."""
    from linknet_edge.runtime.backends import backend_for_path
    backend = backend_for_path(path)
    if backend == "onnxruntime":
        from linknet_edge.onnx_file import read_onnx_info
        info = read_onnx_info(path)
        if info.precision == "int8":
            return "onnxruntime-int8" if "QLinearConv" in info.op_types else \
                "onnxruntime-int8-qdq"
        return "onnxruntime-" + info.precision
    if backend == "tensorrt":
        from linknet_edge.runtime.backends.tensorrt.sidecar import read_sidecar
        return "tensorrt-" + read_sidecar(path)["precision"]
    return REFERENCE


def derivable_variants(reference):
    """Variants that can be made from a file that is ``reference``, in table order: all from a
    checkpoint, all but PyTorch from an FP32 ONNX file, else only the file itself."""
    if reference == REFERENCE:
        return list(VARIANTS)
    if reference == "onnxruntime-fp32":
        return [v for v in VARIANTS if v != REFERENCE]
    return [reference]


def select_variants(backends=None, reference=REFERENCE):
    """Variant names for ``backends`` (variant names like "onnxruntime-int8" or backend names
    like "onnxruntime" for all its precisions; default all that ``reference`` derives), the
    reference always first.
    """
    derivable = derivable_variants(reference)
    if not backends:
        return derivable
    chosen = [reference]
    for text in backends:
        matches = named_variants([text])
        usable = [m for m in matches if m in derivable]
        if not usable:
            raise LinkNetEdgeError("{!r}: {} cannot be made from the {} model given; give "
                                   "the {} it came from".format(
                                       text, ", ".join(matches), reference,
                                       "checkpoint" if reference == "onnxruntime-fp32"
                                       else "checkpoint or FP32 ONNX file"))
        chosen.extend(m for m in usable if m not in chosen)
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
    """Makes each variant's model file from ``model`` (a checkpoint, ONNX file or engine) in
    ``out_dir`` once; ``model`` itself is its ``reference_variant``.

    ``prepare(name)`` returns ``(path, problem)``: ``problem`` is None when the export verified,
    else one line saying what its verification found. It raises ``BackendUnavailable`` where a
    tool is missing here (TensorRT, onnxconverter-common) and other errors when making failed.
    ``calib_images``: real image files for INT8 calibration and export verification.
    """

    def __init__(self, model, out_dir, size=None, calib_images=None, calib_count=32):
        self.model = model
        self.reference = reference_variant(model)
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
        if name == self.reference:
            return self.model, None
        if name not in derivable_variants(self.reference):
            raise LinkNetEdgeError("{} cannot be made from {}".format(name, self.model))
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
        report = export_onnx(self.model, self._file("onnxruntime-fp32", ".onnx"),
                             size=self.size, argmax=True, verify=True, images=self._images(4))
        problem = None
        if not report.passed:
            problem = "verification against PyTorch failed: " + "; ".join(
                report.verification.failures())
        return report.path, problem

    def _fp32_source(self, name):
        if self.reference == "onnxruntime-fp32":
            return self.model
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

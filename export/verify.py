"""Check an exported ONNX file: the ONNX checker, ONNX Runtime against PyTorch, TensorRT 8.2 ops.

Both runners (``runtime.backends``) get the same frames, each prepared as the runtime prepares
it for that artifact (``Runner.prepare``): PyTorch the host-normalised float batch, the ONNX file
its own input form (a uint8 or raw file normalises in the graph), so the comparison covers the
file's input stage too.
Default tolerances: class maps agree on >= 99.9% of pixels and the largest logit difference is <= 0.1% of
the reference's logit range (FP32 ONNX Runtime typically lands near 1e-6 of it; a wrong layer or
normalisation lands far above 1e-2).
"""

import logging

from linknet_edge.errors import ExportError, first_line
from linknet_edge.reports import Report
from linknet_edge.tables import format_rows

from .agreement import compare_logits
from .compat import check_tensorrt_compat
from .sample_images import select_images

__all__ = ["VerificationReport", "verify_onnx", "DEFAULT_MIN_AGREEMENT",
           "DEFAULT_TOLERANCE"]

logger = logging.getLogger(__name__)

DEFAULT_MIN_AGREEMENT = 0.999
#: max |logit error| allowed, as a fraction of the reference logit range (max - min).
DEFAULT_TOLERANCE = 1e-3

class VerificationReport(Report):
    """ONNX Runtime vs PyTorch (``agreement``), the ``classes`` output vs argmax of its logits
    (``classes_agreement``, None without that output) and the TensorRT 8.2 ``compat`` report."""

    error = ExportError

    def __init__(self, path, images, agreement, classes_agreement, compat,
                 min_agreement=DEFAULT_MIN_AGREEMENT, tolerance=DEFAULT_TOLERANCE,
                 require_trt82=True, input_form="float"):
        self.path = path
        self.input_form = input_form
        self.images = images
        self.agreement = agreement
        self.classes_agreement = classes_agreement
        self.compat = compat
        self.min_agreement = min_agreement
        self.tolerance = tolerance
        self.require_trt82 = require_trt82

    def failures(self):
        """One phrase per failed check (empty when everything passed)."""
        a = self.agreement
        out = []
        if a.pixel_agreement < self.min_agreement:
            out.append("pixel agreement {:.3%} < {:.3%}".format(a.pixel_agreement,
                                                                 self.min_agreement))
        if a.nonfinite or not a.relative_error <= self.tolerance:
            out.append("max logit error {:.3g} is {:.2g} of the logit range > {:.2g}".format(
                a.max_abs_error, a.relative_error, self.tolerance))
        if self.classes_agreement is not None and self.classes_agreement < 1.0:
            out.append("classes output differs from argmax(logits) on {:.3%} of pixels".format(
                1.0 - self.classes_agreement))
        if self.require_trt82 and not self.compat.passed:
            out.append("TensorRT 8.2: " + "; ".join(
                f.message if f.message.startswith(f.op) else "{} {}".format(f.op, f.message)
                for f in self.compat.errors[:2]))
        return out

    def summary(self):
        failures = self.failures()
        if failures:
            return "{}: verification FAILED: {}".format(self.path, "; ".join(failures))
        return "{}: verification passed (pixel agreement {:.4%}, TensorRT 8.2 {}{})".format(
            self.path, self.agreement.pixel_agreement,
            "OK" if self.compat.passed else "FAIL (not required)",
            "" if self.compat.tx1_safe else ", not TX1-safe")

    def format(self):
        rows = [("file", self.path), ("ONNX checker", "passed (full_check)"),
                ("images", self.images),
                ("input", "{} (PyTorch gets the host-normalised float batch)".format(
                    self.input_form))]
        rows += self.agreement.rows("ONNX Runtime vs PyTorch:")
        if self.classes_agreement is not None:
            rows.append(("classes vs argmax(logits)", "{:.4%}".format(self.classes_agreement)))
        rows.append(("tolerances", "agreement >= {:.2%}, max |logit error| <= {:g} x "
                                   "logit range".format(self.min_agreement, self.tolerance)))
        rows.append(("result", "PASS" if self.passed else "FAIL: " + "; ".join(self.failures())))
        return (format_rows("Verification", rows) + "\n\n"
                + format_rows("TensorRT 8.2 compatibility", self.compat.rows()))

def _check_onnx(path):
    import onnx
    try:
        onnx.checker.check_model(str(path), full_check=True)
    except Exception as exc:  # onnx raises ValidationError, InferenceError or IOError variants
        raise ExportError("{}: ONNX checker failed: {}".format(path, first_line(exc)))

def verify_onnx(onnx_path, checkpoint_path, images=None, count=4,
                min_agreement=DEFAULT_MIN_AGREEMENT, tolerance=DEFAULT_TOLERANCE,
                require_trt82=True):
    """Verify ``onnx_path`` against the checkpoint it came from; returns a ``VerificationReport``.

    ``images``: a folder, glob or list of image files (``count`` of them, evenly spread);
    without it, synthetic street frames, and the report says so. With ``require_trt82=False``
    (an export for a newer TensorRT) the TensorRT 8.2 report is shown but does not fail.
    """
    from linknet_edge.onnx_file import read_onnx_info
    from linknet_edge.runtime.backends import load_model
    info = read_onnx_info(onnx_path)  # a missing or foreign file is named as such first
    _check_onnx(onnx_path)
    if info.output("logits") is None:
        raise ExportError("{}: no 'logits' output (has {})".format(
            onnx_path, ", ".join(o.name for o in info.outputs)))
    classes_output = info.output("classes")
    if classes_output is not None and classes_output.dtype != "int32":
        raise ExportError("{}: 'classes' output is {}, expected int32".format(
            onnx_path, classes_output.dtype))
    spec = info.spec
    frames, description = select_images(images, count)
    with load_model(checkpoint_path, "pytorch", spec=spec) as reference, \
            load_model(onnx_path, "onnxruntime", providers=["cpu"]) as candidate:
        batch = candidate.prepare(frames)
        logits = candidate.run_logits(batch)
        expected = reference.run_logits(reference.prepare(frames, candidate.input_size))
        agreement = compare_logits(expected, logits)
        classes_agreement = None
        if classes_output is not None:
            classes_agreement = float((candidate.run(batch) == logits.argmax(axis=1)).mean())
    report = VerificationReport(onnx_path, description, agreement, classes_agreement,
                                check_tensorrt_compat(onnx_path, spec), min_agreement, tolerance,
                                require_trt82, spec.input_form)
    logger.info("%s", report.summary())
    return report

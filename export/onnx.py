"""Checkpoint -> ONNX with the model spec inside, for ONNX Runtime and TensorRT 8.2 upward.

The ONNX contract: input ``input`` in one of the spec's ``INPUT_FORMS``: by default ``uint8``,
(N, H, W, 3) uint8 BGR as the camera gives it, with cast, layout, channel order and
normalisation as graph ops (``input_form``); ``float``, (N, 3, H, W) float32 normalised on the
host; or ``raw``, (N, 3, H, W) float32 RGB 0-255. Output ``logits`` (N, C, H, W) float32 and,
with ``argmax``, ``classes`` (N, H, W) int32; the spec JSON (``input_size`` set to the export
size, ``input_form`` to the form) in ``metadata_props["linknet_edge.spec"]``.
Uses the TorchScript-based exporter, which exists from torch 1.10 (JetPack 4.6) to today.
torch and onnx are imported inside the functions.
"""

import inspect
import logging
import os
import warnings

from linknet_edge import __version__
from linknet_edge.atomic import atomic_path, check_writable
from linknet_edge.deprecation import renamed_keywords
from linknet_edge.errors import ExportError, LinkNetEdgeError, first_line
from linknet_edge.images import find_images
from linknet_edge.onnx_file import ONNX_SPEC_KEY
from linknet_edge.progress import Progress
from linknet_edge.reports import Report
from linknet_edge.runtime.backends.tensorrt.versions import parser_ops
from linknet_edge.sizes import check_size, format_size
from linknet_edge.tables import format_rows

__all__ = ["export_onnx", "ExportReport", "check_opset", "failed_path", "SPEC_KEY",
           "VERSION_KEY", "MIN_OPSET", "MAX_OPSET", "DEFAULT_INPUT"]

logger = logging.getLogger(__name__)

SPEC_KEY = ONNX_SPEC_KEY
VERSION_KEY = "linknet_edge.version"
#: the oldest opset we test; TensorRT 8.2 (JetPack 4.6) parses up to ``MAX_OPSET`` (13).
MIN_OPSET = 11
MAX_OPSET = parser_ops((8, 2)).max_opset
#: the deployment form: the host only resizes, the GPU (or ONNX Runtime) normalises
DEFAULT_INPUT = "uint8"


class ExportReport(Report):
    """What was written, plus the ``VerificationReport`` when the export was verified.

    ``path`` is where the file is: the output path, or ``failed_path`` of it when the
    verification failed (``output_path`` is then left as it was)."""

    error = ExportError

    def __init__(self, path, spec, opset, input_shape, outputs, verification=None):
        self.path = self.output_path = path
        self.spec = spec
        self.opset = opset
        self.input_shape = input_shape
        self.outputs = outputs
        self.verification = verification

    def failures(self):
        return [] if self.verification is None else self.verification.failures()

    def summary(self):
        if self.verification is None:
            return "{}: exported, not verified".format(self.path)
        if self.verification.passed:
            return self.verification.summary()
        return "{}; nothing written to {}, the export is kept as {}".format(
            self.verification.summary(), self.output_path, self.path)

    def format(self):
        text = format_rows("ONNX export", [
            ("file", "{} ({:.1f} MiB)".format(self.path, os.path.getsize(self.path) / 2.0 ** 20)),
            ("architecture", "{} ({} classes)".format(self.spec.arch, self.spec.num_classes)),
            ("input", "input {} {}".format(self.input_shape, _FORM_WORDS[
                self.spec.input_form])),
            ("outputs", ", ".join(self.outputs)),
            ("opset", str(self.opset)),
        ])
        if self.verification is not None:
            text += "\n\n" + self.verification.format()
        return text


_FORM_WORDS = {
    "uint8": "uint8 BGR 0-255 (cast, layout, channel order and normalisation in the graph)",
    "float": "float32, normalised on the host",
    "raw": "float32 RGB 0-255 (normalisation in the graph)"}


def check_opset(opset, force=False):
    """Refuse opsets TensorRT 8.2 cannot parse, unless ``force`` (for newer TensorRT only)."""
    opset = int(opset)
    if not force and not MIN_OPSET <= opset <= MAX_OPSET:
        raise ExportError("opset {} is outside {}..{}: TensorRT 8.2 (JetPack 4.6) parses ONNX up "
                          "to opset {} (use --force-opset only for a newer TensorRT)".format(
                              opset, MIN_OPSET, MAX_OPSET, MAX_OPSET))
    return opset


def failed_path(output_path):
    """Where an export that failed its verification is kept: ``NAME.failed.onnx``."""
    return os.path.splitext(output_path)[0] + ".failed.onnx"


def _staged_path(output_path):
    """Where an export waits for its verification: ``NAME.unverified.onnx``."""
    return os.path.splitext(output_path)[0] + ".unverified.onnx"


def _verify_then_publish(report, staged, checkpoint_path, images, require_trt82):
    """Verify ``staged``, then rename it to ``report.path``, or to ``failed_path`` when the
    verification fails (a check, or an error while checking, which is raised naming it)."""
    from .verify import verify_onnx
    failed = failed_path(report.output_path)
    try:
        verification = verify_onnx(staged, checkpoint_path, images=images,
                                   require_trt82=require_trt82)
    except LinkNetEdgeError as exc:
        os.replace(staged, failed)
        raise ExportError("{}: not written: the verification stopped ({}); the export is kept "
                          "as {}".format(report.output_path, first_line(exc), failed))
    verification.path = report.output_path
    if verification.passed:
        os.replace(staged, report.output_path)
        if os.path.isfile(failed):  # an older failure of this export is now out of date
            os.remove(failed)
    else:
        os.replace(staged, failed)
        report.path = failed
    report.verification = verification


def _class_map_model(model):
    """Wrap ``model`` so the graph also returns ``classes`` = argmax over C as int32."""
    import torch

    class ClassMapModel(torch.nn.Module):
        def __init__(self, net):
            super(ClassMapModel, self).__init__()
            self.net = net

        def forward(self, x):
            logits = self.net(x)
            # ArgMax in the graph: the GPU hands back (N, H, W) class ids instead of (N, C, H, W)
            # logits, C times fewer bytes over the Jetson's memory bus. ArgMax yields int64;
            # int32 halves that again and is what TensorRT produces natively.
            return logits, torch.argmax(logits, dim=1).to(torch.int32)

    return ClassMapModel(model).eval()


def _torch_export(model, dummy, path, opset, outputs, dynamic_batch):
    import torch
    kwargs = dict(opset_version=opset, do_constant_folding=True, input_names=["input"],
                  output_names=list(outputs), export_params=True)
    if dynamic_batch:
        kwargs["dynamic_axes"] = {name: {0: "batch"} for name in ["input"] + list(outputs)}
    try:
        parameters = inspect.signature(torch.onnx.export).parameters
    except (TypeError, ValueError):
        parameters = {}
    if "dynamo" in parameters:  # torch >= 2.5: ask for the TorchScript exporter explicitly
        kwargs["dynamo"] = False
    with warnings.catch_warnings(), torch.no_grad():
        # The legacy exporter's deprecation notice and tracer warnings (shape values turned into
        # constants) are expected for a static-shape export; anything that fails still raises.
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (dummy,), path, **kwargs)


def _finish(path, spec, input_form):
    """Put the input stage of ``input_form`` in front of the exported float graph and write the
    spec into the file; returns the spec with ``input_form`` set."""
    import onnx
    from .input_form import set_input_form
    model = onnx.load(path)
    spec = set_input_form(model, spec, input_form)
    for key, value in ((SPEC_KEY, spec.to_json()), (VERSION_KEY, __version__)):
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, path)
    return spec


@renamed_keywords(batch="batch_size")
def export_onnx(checkpoint_path, output_path, size=None, opset=13, argmax=False,
                dynamic_batch=False, verify=True, images=None, force_opset=False, batch_size=1,
                input_form=DEFAULT_INPUT):
    """Export a checkpoint to ONNX and, by default, verify it before it is published.

    The file is written atomically; a verified export is checked as ``NAME.unverified.onnx`` and
    renamed to ``output_path`` only when it passes, else to ``NAME.failed.onnx``
    (``failed_path``), so ``output_path`` never holds a file that failed.

    ``size`` is (H, W), multiples of 32 (default: the spec's input size). ``batch_size`` is
    the static batch (e.g. one frame per camera for a TensorRT engine, whose shapes are static);
    ``dynamic_batch`` makes it free instead. ``input_form``: "uint8" (default), "float" or
    "raw" (``linknet_edge.spec.INPUT_FORMS``). ``images`` (a folder, glob or list) feed the
    verification. Returns an ``ExportReport``.
    """
    from linknet_edge.spec import INPUT_FORMS
    opset = check_opset(opset, force_opset)
    batch = int(batch_size)
    if batch < 1 or (dynamic_batch and batch != 1):
        raise ExportError("--batch-size {}: give a static batch >= 1, or --dynamic-batch, not "
                          "both".format(batch))
    if input_form not in INPUT_FORMS:
        raise ExportError("--input {!r}: choose from {}".format(
            input_form, ", ".join(sorted(INPUT_FORMS))))
    if size is not None:
        check_size(size[0], size[1], what="export")
    check_writable(output_path, "-o")
    if verify and images is not None:
        find_images(images, ExportError)
    import torch
    from linknet_edge.weights import load_model
    from linknet_edge.architectures import is_tx1_safe
    model, spec = load_model(checkpoint_path)
    if size is not None:
        spec = spec.replace(input_size=[int(size[0]), int(size[1])])
    if not is_tx1_safe(spec.arch):
        logger.warning("%s is not TX1-safe: its bilinear Resize ops do not run on TensorRT on a "
                       "TX1; export 'linknet' for the TX1", spec.arch)
    outputs = ("logits", "classes") if argmax else ("logits",)
    net = _class_map_model(model) if argmax else model
    dummy = torch.zeros((batch, 3) + tuple(spec.input_size), dtype=torch.float32)
    staged = _staged_path(output_path) if verify else output_path
    with Progress(2 if verify else 1, "export", log=logger) as progress:
        progress.step("tracing {} to ONNX opset {}".format(spec.arch, opset))
        try:
            with atomic_path(staged) as tmp:
                _torch_export(net, dummy, tmp, opset, outputs, dynamic_batch)
                spec = _finish(tmp, spec, input_form)
        except RuntimeError as exc:  # torch.onnx's exporter errors derive from RuntimeError
            raise ExportError("{}: ONNX export failed: {}".format(
                checkpoint_path, first_line(exc)))
        from linknet_edge.preprocessing import batch_shape
        shape = "({})".format(", ".join(str(d) for d in batch_shape(
            spec, "N" if dynamic_batch else batch)))
        logger.info("wrote %s (%s, opset %d, %s, %s input)", staged, spec.arch, opset,
                    format_size(*spec.input_size), spec.input_form)
        report = ExportReport(output_path, spec, opset, shape, outputs)
        if verify:
            progress.step("verifying: ONNX checker, ONNX Runtime against PyTorch, TensorRT 8.2 "
                          "ops")
            _verify_then_publish(report, staged, checkpoint_path, images, not force_opset)
    return report

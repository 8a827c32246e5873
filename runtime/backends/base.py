"""The ``Runner`` contract every backend implements, and the boilerplate they share.

A runner is loaded from one artifact (``.pt``, ``.onnx``, ``.engine``) together with the model
spec the artifact carries, and runs batches at network resolution:

- ``prepare(frames_bgr)``: HWC uint8 BGR frames of any size (as OpenCV gives them) -> the batch
  this runner takes, following ``spec.input_form``: NCHW float32 normalised as the spec says
  (``float``), NHWC uint8 BGR only resized (``uint8``: the graph normalises), NCHW float32 RGB
  0-255 (``raw``);
- ``run(batch)`` -> (N, H, W) int32 class maps; ``run_logits(batch)`` -> (N, C, H, W) float32
  (``BackendUnavailable`` where the artifact has only the ``classes`` output);
- ``path``, ``spec``, ``classes`` (class names), ``input_size`` (H, W), ``precision``
  ("fp32"/"fp16"/"int8"), ``name`` ("onnxruntime:CPUExecutionProvider", ...), ``fixed_batch``
  (the artifact's static batch, or None); ``close()`` (safe twice; a closed runner raises
  ``RunnerClosed``) and the context-manager protocol.

A backend module offers ``is_available()``, ``unavailable_reason()``, ``version()`` and
``load(path, spec=None, **options)``; ``runtime.backends.load_model`` picks one by suffix or name.
Subclasses implement ``_run_classes``, ``_run_logits`` and ``_release``.
"""

import logging

import numpy as np

from linknet_edge.errors import InputSizeError, RunnerClosed, SpecMismatch
from linknet_edge.preprocessing import batch_shape, prepare_batch
from linknet_edge.spec import INPUT_FORMS

__all__ = ["Runner", "check_spec_outputs", "graph_input_size"]

logger = logging.getLogger(__name__)


def check_spec_outputs(path, spec, num_outputs):
    """Raise ``SpecMismatch`` if the graph's class channels differ from the spec's class list."""
    if num_outputs is not None and num_outputs > 0 and num_outputs != spec.num_classes:
        raise SpecMismatch("{}: its spec lists {} classes but the network outputs {} channels; "
                           "the file was edited or exported from another model".format(
                               path, spec.num_classes, num_outputs))


def graph_input_size(path, spec, dtype, shape):
    """(H, W) of a graph's input of numpy ``dtype`` name and ``shape`` in ``spec.input_form``
    (None where the graph leaves them dynamic); ``SpecMismatch`` when the tensor is not that
    form (a file edited after export, or a spec copied from another file)."""
    form = INPUT_FORMS[spec.input_form]
    shape = tuple(shape)
    nhwc = form["layout"] == "NHWC"
    channels = shape[3:4] if nhwc else shape[1:2]
    allowed = (form["dtype"],) if form["dtype"] == "uint8" else ("float32", "float16")
    if len(shape) != 4 or channels != (3,) or str(dtype) not in allowed:
        raise SpecMismatch("{}: its input is {} {} but its spec says input_form {!r} ({} {} with "
                           "3 channels); export it again".format(
                               path, dtype, list(shape), spec.input_form, form["dtype"],
                               form["layout"]))
    size = shape[1:3] if nhwc else shape[2:4]
    return tuple(size) if min(size) > 0 else None


class Runner(object):
    """One loaded model; see the module docstring for the contract."""

    #: backend name (``tensorrt``, ``onnxruntime``, ``pytorch``)
    backend = None
    #: True where the network runs at any multiple of 32 (PyTorch), False for fixed-shape files
    any_size = False

    def __init__(self, path, spec, precision="fp32", name=None, input_size=None,
                 fixed_batch=None):
        self.path = str(path)
        self.spec = spec
        self.input_size = tuple(int(v) for v in (input_size or spec.input_size))
        self.precision = precision
        self.name = name or self.backend
        self.fixed_batch = fixed_batch
        self._closed = False
        self._told_chunks = False

    @property
    def classes(self):
        """The class names, index order."""
        return list(self.spec.class_names)

    def prepare(self, frames_bgr, size=None):
        """HWC uint8 BGR frames -> this runner's input batch at ``size`` (default: input_size)."""
        return prepare_batch(frames_bgr, self.spec, size or self.input_size)

    def run(self, batch):
        """Input batch -> (N, H, W) int32 class maps."""
        return self._chunked(self._run_classes, batch).astype(np.int32, copy=False)

    def run_logits(self, batch):
        """Input batch -> (N, C, H, W) float32 logits."""
        return self._chunked(self._run_logits, batch).astype(np.float32, copy=False)

    def close(self):
        """Release the model and its memory; safe to call twice."""
        if not self._closed:
            self._closed = True
            self._release()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        return "{}({!r}, {}, {})".format(type(self).__name__, self.path, self.precision,
                                         self.name)

    # -- for subclasses ----------------------------------------------------------------------

    def _run_classes(self, batch):
        raise NotImplementedError

    def _run_logits(self, batch):
        raise NotImplementedError

    def _release(self):
        pass

    def _check_batch(self, batch):
        batch = np.asarray(batch)
        nhwc = self.spec.input_form == "uint8"
        channels, size = (batch.shape[3:], batch.shape[1:3]) if nhwc else (
            batch.shape[1:2], batch.shape[2:])
        expected = "({}) {}".format(", ".join(
            str(d) for d in batch_shape(self.spec, "N", self.input_size)), self.spec.input_form)
        if batch.ndim != 4 or tuple(channels) != (3,) or len(batch) == 0:
            raise InputSizeError("{}: input batch {} is not {} (make it with "
                                 "runner.prepare(frames))".format(self.path, batch.shape,
                                                                  expected))
        if not self.any_size and tuple(size) != self.input_size:
            raise InputSizeError("{}: input batch {} does not match the model input {}".format(
                self.path, batch.shape, expected))
        return batch

    def _chunked(self, run, batch):
        """Run ``batch`` in pieces of ``fixed_batch`` (the last padded), or whole."""
        if self._closed:
            raise RunnerClosed("{}: runner is closed".format(self.path))
        batch = self._check_batch(batch)
        step = self.fixed_batch
        if not step or len(batch) == step:
            return run(batch)
        if not self._told_chunks and len(batch) > step:
            self._told_chunks = True
            logger.info("%s takes batches of %d: a batch of %d runs as %d calls (export with "
                        "--dynamic-batch to run it at once)", self.path, step,
                        len(batch), -(-len(batch) // step))
        parts = []
        for start in range(0, len(batch), step):
            chunk = batch[start:start + step]
            count = len(chunk)
            if count < step:
                chunk = np.concatenate([chunk, np.repeat(chunk[-1:], step - count, axis=0)])
            parts.append(run(chunk)[:count])
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

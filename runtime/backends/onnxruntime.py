"""ONNX Runtime backend: runs a linknet-edge ``.onnx`` file on the best execution provider.

Providers are tried best first (TensorRT, CUDA, CPU) among those this ONNX Runtime build offers.
The model spec comes from the file's ``linknet_edge.spec`` metadata, the input size from the
graph. A ``classes`` output (in-graph ArgMax) is used when the file has one. ``create_session``
is the one place a session is made (the export checks use it too).
"""

import importlib.util
import logging

import numpy as np

from linknet_edge.errors import BackendUnavailable, ModelFileError, first_line
from linknet_edge.onnx_file import read_onnx_info

from .base import Runner, check_spec_outputs, graph_input_size

__all__ = ["OrtRunner", "is_available", "unavailable_reason", "version", "load",
           "choose_providers", "create_session", "PREFERRED_PROVIDERS"]

logger = logging.getLogger(__name__)

NAME = "onnxruntime"
#: Best first.
PREFERRED_PROVIDERS = ("TensorrtExecutionProvider", "CUDAExecutionProvider",
                       "CPUExecutionProvider")


def is_available():
    return importlib.util.find_spec("onnxruntime") is not None


def unavailable_reason():
    if is_available():
        return None
    return "onnxruntime is not installed (pip install onnxruntime, or onnxruntime-gpu for CUDA)"


def version():
    if not is_available():
        return None
    import onnxruntime
    return onnxruntime.__version__


def choose_providers(available, requested=None):
    """The providers to pass to a session, best first.

    ``requested`` (names, or short forms like "cpu", "cuda", "tensorrt") narrows the choice;
    asking only for providers this build lacks raises ``BackendUnavailable``.
    """
    if requested:
        wanted = [_provider_name(p) for p in requested]
        chosen = [p for p in wanted if p in available]
        if not chosen:
            raise BackendUnavailable("onnxruntime: none of the providers {} is available; this "
                                     "build offers {}".format(", ".join(wanted),
                                                              ", ".join(available)))
        return chosen
    chosen = [p for p in PREFERRED_PROVIDERS if p in available]
    return chosen or list(available)


def _provider_name(text):
    short = {"tensorrt": "TensorrtExecutionProvider", "trt": "TensorrtExecutionProvider",
             "cuda": "CUDAExecutionProvider", "cpu": "CPUExecutionProvider"}
    return short.get(str(text).lower(), str(text))


def create_session(model, providers=("CPUExecutionProvider",), threads=None, quiet=False,
                   spinning=True):
    """An ``InferenceSession`` for a file path or serialized model bytes.

    ``quiet`` keeps ONNX Runtime to errors (no "initializer appears in graph inputs" chatter).
    ``spinning=False`` makes idle intra-op threads sleep at once instead of spinning (they then
    leave the cores to other threads: a pipeline's decoder, encoder and drawing).
    A file ONNX Runtime cannot load raises ``ModelFileError`` naming it.
    """
    if not is_available():
        raise BackendUnavailable(unavailable_reason())
    import onnxruntime
    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads = int(threads)
    if not spinning:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if quiet:
        options.log_severity_level = 3
    source = model if isinstance(model, bytes) else str(model)
    try:
        return onnxruntime.InferenceSession(source, sess_options=options,
                                            providers=list(providers))
    except Exception as exc:  # ORT raises its own pybind classes (InvalidProtobuf, Fail, ...)
        where = "serialized model" if isinstance(model, bytes) else model
        raise ModelFileError("{}: ONNX Runtime cannot load it ({})".format(where,
                                                                          first_line(exc)))


def load(path, spec=None, providers=None, threads=None, spinning=False, **_ignored):
    """An ``OrtRunner`` for the ``.onnx`` file at ``path``; ``spec``, if given, must match.
    ``threads`` and ``spinning``: see ``create_session``. Runners do not spin by default: in the
    live pipeline (2 shared cores, 720p in, .mp4 out, 480x352 model) spinning intra-op threads
    took the cores from the decoder and encoder: 3.0 FPS end to end against 4.1-4.3 without,
    and the backend alone ran 3.4-3.9 FPS against 4.1-4.6."""
    if not is_available():
        raise BackendUnavailable(unavailable_reason())
    import onnxruntime
    info = read_onnx_info(path)
    file_spec = info.spec
    if spec is not None:
        spec.check_compatible(file_spec, what=str(path))
    if isinstance(providers, str):
        providers = [p for p in providers.split(",") if p]
    chosen = choose_providers(onnxruntime.get_available_providers(), providers)
    return OrtRunner(path, create_session(path, chosen, threads, spinning=spinning), info)


class OrtRunner(Runner):
    """Runs batches in the file's input form (``prepare``); ``run`` -> (N, H, W) int32 class
    maps."""

    backend = NAME

    def __init__(self, path, session, info):
        spec = info.spec
        graph_input = info.input
        size = graph_input_size(path, spec, graph_input.dtype, graph_input.shape) or tuple(
            spec.input_size)
        if size != tuple(spec.input_size):
            logger.info("%s: graph input %s differs from the spec's %s; using the graph's",
                        path, size, tuple(spec.input_size))
            spec = spec.replace(input_size=list(size))
        logits = info.output("logits")
        check_spec_outputs(path, spec, logits.shape[1] if logits and len(logits.shape) > 1
                           else None)
        batch = graph_input.shape[0] if graph_input.shape and graph_input.shape[0] > 0 else None
        super(OrtRunner, self).__init__(path, spec, info.precision,
                                        "{}:{}".format(NAME, session.get_providers()[0]),
                                        size, batch)
        self._session = session
        self._input_name = graph_input.name
        self._input_dtype = np.dtype(graph_input.dtype)
        self._outputs = [o.name for o in info.outputs]

    def _run(self, name, batch):
        batch = np.ascontiguousarray(batch, dtype=self._input_dtype)
        return self._session.run([name], {self._input_name: batch})[0]

    def _run_classes(self, batch):
        if "classes" in self._outputs:
            return self._run("classes", batch)
        return np.argmax(self._run("logits", batch), axis=1)

    def _run_logits(self, batch):
        if "logits" not in self._outputs:
            raise BackendUnavailable("{}: the model has no 'logits' output (only {})".format(
                self.path, ", ".join(self._outputs)))
        return self._run("logits", batch)

    def _release(self):
        self._session = None

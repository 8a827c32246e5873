"""ONNX Runtime backend: runs a linknet-edge ``.onnx`` file on the best execution provider.

Providers are tried best first (TensorRT, CUDA, CPU) among those this ONNX Runtime build offers.
The model spec comes from the file's ``linknet_edge.spec`` metadata, the input size from the
graph. A ``classes`` output (in-graph ArgMax) is used when the file has one.
"""

import importlib.util
import logging
import os

import numpy as np

from linknet_edge.errors import BackendUnavailable, CheckpointError, SpecError, first_line
from linknet_edge.spec import ONNX_SPEC_KEY, ModelSpec

from ._onnx_graph import graph_summary, precision_of

__all__ = ["OrtRunner", "is_available", "unavailable_reason", "version", "load",
           "choose_providers", "PREFERRED_PROVIDERS", "SPEC_KEY"]

logger = logging.getLogger(__name__)

NAME = "onnxruntime"
#: The metadata_props key that holds ``spec.to_json()``.
SPEC_KEY = ONNX_SPEC_KEY
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


def load(path, providers=None, threads=None, **_ignored):
    """An ``OrtRunner`` for the ``.onnx`` file at ``path``."""
    if not is_available():
        raise BackendUnavailable(unavailable_reason())
    import onnxruntime
    if not os.path.isfile(path):
        raise CheckpointError("{}: no such ONNX file".format(path))
    if isinstance(providers, str):
        providers = [p for p in providers.split(",") if p]
    chosen = choose_providers(onnxruntime.get_available_providers(), providers)
    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads = int(threads)
    try:
        session = onnxruntime.InferenceSession(path, sess_options=options, providers=chosen)
    except Exception as exc:  # ORT raises its own pybind classes (InvalidProtobuf, Fail, ...)
        raise CheckpointError("{}: ONNX Runtime cannot load it ({})".format(path, first_line(exc)))
    return OrtRunner(path, session)


def _spec_of(path, session):
    text = session.get_modelmeta().custom_metadata_map.get(SPEC_KEY)
    if not text:
        raise SpecError("{}: no '{}' metadata, so the classes and normalisation are unknown; "
                        "export the model with `linknet-edge export`".format(path, SPEC_KEY))
    return ModelSpec.from_json(text, source=path)


def _precision_of(path):
    try:
        with open(path, "rb") as handle:
            return precision_of(graph_summary(handle.read()))
    except (ValueError, IndexError) as exc:
        logger.warning("%s: cannot read the graph's data types (%s); assuming fp32", path, exc)
        return "fp32"


class OrtRunner(object):
    """Runs NCHW float32 normalised batches; ``run`` -> (N, H, W) int32 class maps."""

    def __init__(self, path, session):
        self.path = path
        self._session = session
        self.spec = _spec_of(path, session)
        graph_input = session.get_inputs()[0]
        self._input_name = graph_input.name
        self._input_dtype = np.float16 if "float16" in graph_input.type else np.float32
        shape = list(graph_input.shape)
        self._static_batch = shape[0] if isinstance(shape[0], int) else None
        if all(isinstance(v, int) for v in shape[2:4]):
            self.input_size = (shape[2], shape[3])
        else:
            self.input_size = tuple(self.spec.input_size)
        if self.input_size != tuple(self.spec.input_size):
            logger.info("%s: graph input %s differs from the spec's %s; using the graph's",
                        path, self.input_size, tuple(self.spec.input_size))
            self.spec = self.spec.replace(input_size=list(self.input_size))
        self._outputs = [o.name for o in session.get_outputs()]
        self.precision = _precision_of(path)
        self.name = "{}:{}".format(NAME, session.get_providers()[0])

    def _run(self, name, batch):
        if self._session is None:
            raise BackendUnavailable("{}: runner is closed".format(self.path))
        batch = np.ascontiguousarray(batch, dtype=self._input_dtype)
        step = self._static_batch or len(batch)
        parts = [self._session.run([name], {self._input_name: batch[i:i + step]})[0]
                 for i in range(0, len(batch), step)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def run(self, batch):
        """NCHW float32 -> (N, H, W) int32 class indices."""
        if "classes" in self._outputs:
            return self._run("classes", batch).astype(np.int32, copy=False)
        return np.argmax(self._run("logits", batch), axis=1).astype(np.int32)

    def run_logits(self, batch):
        """NCHW float32 -> (N, C, H, W) float32 logits."""
        if "logits" not in self._outputs:
            raise BackendUnavailable("{}: the model has no 'logits' output (only {})".format(
                self.path, ", ".join(self._outputs)))
        return self._run("logits", batch).astype(np.float32, copy=False)

    def close(self):
        self._session = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

"""``TrtRunner``: a ``.engine`` plan with its sidecar, run through pycuda or cuda-python.

Serves TensorRT 8.2 (binding API, JetPack 4.6) to 11.x (tensor API); the path is chosen once per
engine from ``api.capabilities()``. Input: the spec's ``input_form`` (``Runner.prepare``): uint8
NHWC BGR from 8.5 (DataType.UINT8; the engine normalises), NCHW float32 otherwise. The engine's
``classes`` output (N,H,W; int32, or int64 where a 9.x+ parser kept an ArgMax's own type) is
used when present: it moves C times fewer bytes off the GPU than the logits, which matters on a
TX1. Host buffers are pinned, device buffers and the stream allocated once; ``close()`` frees
all three.
"""

import logging

import numpy as np

from linknet_edge.errors import BackendUnavailable, InferenceError, SpecMismatch

from . import api
from ..base import Runner, graph_input_size
from .cuda import CudaContext
from .cuda import api as cuda_api

__all__ = ["TrtRunner"]

logger = logging.getLogger(__name__)


def _pick_outputs(outputs):
    """(classes, logits) TensorInfo or None, by name first, then by rank and dtype."""
    by_name = {info.name: info for info in outputs}
    classes, logits = by_name.get("classes"), by_name.get("logits")
    for info in outputs:
        if classes is None and len(info.shape) == 3 and np.issubdtype(info.dtype, np.integer):
            classes = info
        if logits is None and len(info.shape) == 4 and np.issubdtype(info.dtype, np.floating):
            logits = info
    return classes, logits


class TrtRunner(Runner):
    """A deserialized engine with its buffers, stream and execution path, set up once.

    Pinned host and device buffers hold one engine batch; larger inputs run in chunks.
    """

    backend = "tensorrt"

    def __init__(self, path, plan, spec, precision, device=0):
        caps = api.capabilities()
        super(TrtRunner, self).__init__(path, spec, precision, "tensorrt:" + caps.version_text)
        self._cuda = cuda_api()
        self._host, self._device = {}, {}
        self._context = self._engine = self._runtime = self._stream = None
        self._cuda_context = CudaContext(device)
        try:
            with self._cuda_context:
                self._runtime = api.create_runtime()
                self._engine = self._runtime.deserialize_cuda_engine(plan)
                if self._engine is None:
                    raise SpecMismatch("{}: TensorRT could not deserialize the engine (built by "
                                       "another TensorRT version, or corrupt); rebuild it with "
                                       "`linknet-edge build`".format(path))
                self._context = self._engine.create_execution_context()
                self._setup_buffers(api.io_tensors(self._engine))
                self._stream = self._cuda.stream()
        except Exception:
            self.close()
            raise
        self.execute_path = caps.execute_path
        logger.info("%s: TensorRT %s via %s, %s, input %s, outputs %s, execute path %s", path,
                    caps.version_text, self._cuda.name, precision, self._input.shape,
                    ", ".join(info.name for info in self._outputs), self.execute_path)

    def _setup_buffers(self, tensors):
        inputs = [info for info in tensors if info.is_input]
        self._outputs = [info for info in tensors if not info.is_input]
        if len(inputs) != 1 or any(d < 0 for info in tensors for d in info.shape):
            raise SpecMismatch("{}: expected one static-shape input, found {}; export the ONNX "
                               "with a static shape".format(self.path, inputs + self._outputs))
        self._input = inputs[0]
        size = graph_input_size(self.path, self.spec, np.dtype(self._input.dtype).name,
                                self._input.shape)
        if size != self.input_size:
            raise SpecMismatch("{}: engine input {} does not match the spec's size {}".format(
                self.path, self._input.shape, self.input_size))
        self._classes, self._logits = _pick_outputs(self._outputs)
        if self._classes is None and self._logits is None:
            raise SpecMismatch("{}: engine has neither a 'classes' nor a 'logits' output".format(
                self.path))
        for info in tensors:
            self._host[info.name] = self._cuda.pinned(info.shape, info.dtype)
            self._device[info.name] = self._cuda.alloc(self._host[info.name].array.nbytes)
        self._bindings = api.bind_addresses(
            self._context, tensors, {name: int(buf) for name, buf in self._device.items()})
        self.fixed_batch = self._input.shape[0]

    @property
    def batch_size(self):
        """The engine's fixed batch size; ``run`` splits larger batches into chunks."""
        return self.fixed_batch

    def _infer(self, batch, output):
        """One engine batch through the engine; returns a copy of ``output``."""
        host_in, host_out = self._host[self._input.name].array, self._host[output.name].array
        with self._cuda_context:
            host_in[...] = batch
            self._cuda.htod_async(self._device[self._input.name], host_in, self._stream)
            if not api.execute(self._context, self._bindings, int(self._stream)):
                raise InferenceError("{}: TensorRT refused to execute".format(self.path))
            self._cuda.dtoh_async(host_out, self._device[output.name], self._stream)
            self._cuda.synchronize(self._stream)
            return np.array(host_out)

    def _run_classes(self, batch):
        if self._classes is not None:
            return self._infer(batch, self._classes)  # int64 from 9.x+ parsers: run() casts
        return np.argmax(self._infer(batch, self._logits), axis=1)

    def _run_logits(self, batch):
        if self._logits is None:
            raise BackendUnavailable("{}: engine has only the 'classes' output; export the ONNX "
                                     "with logits to get them".format(self.path))
        return self._infer(batch, self._logits)

    def _release(self):
        """Free device and pinned host memory and the stream, then release the context."""
        with self._cuda_context:
            self._context = self._engine = self._runtime = None
            for buffer in list(self._device.values()) + list(self._host.values()):
                buffer.free()
            if self._stream is not None:
                self._stream.free()
            self._device, self._host, self._stream = {}, {}, None
        self._cuda_context.release()

"""TensorRT backend: load a ``.engine`` plan with its sidecar and run it through pycuda.

Serves TensorRT 8.2 (binding API, JetPack 4.6) to 10.x (tensor API); the choice is made once
per engine in ``_trt_api``. Input: NCHW float32 normalised as the spec says. The engine's
``classes`` output (N,H,W int32, in-graph ArgMax) is used when present: it moves C times fewer
bytes off the GPU than the logits, which matters on a TX1.
"""

import importlib.util
import logging

import numpy as np

from linknet_edge.errors import (BackendUnavailable, InferenceError, ModelFileError, SpecMismatch)
from linknet_edge.spec import ModelSpec

from . import _trt_api
from .base import Runner
from .engine_sidecar import check_runtime_match, read_sidecar

__all__ = ["is_available", "unavailable_reason", "version", "load", "TrtRunner"]

logger = logging.getLogger(__name__)

INSTALL_HINT = {
    "tensorrt": "the TensorRT Python module is not installed: on a Jetson it comes with JetPack "
                "(sudo apt install python3-libnvinfer), on x86 `pip install tensorrt` or use "
                "NVIDIA's TensorRT container",
    "pycuda": "pycuda is not installed: `pip3 install pycuda` (needs CUDA's nvcc on PATH, e.g. "
              "export PATH=/usr/local/cuda/bin:$PATH)",
}


def unavailable_reason():
    """Why this backend cannot run here, or None; asks ``find_spec`` only (imports nothing)."""
    missing = [name for name in ("tensorrt", "pycuda")
               if importlib.util.find_spec(name) is None]
    if not missing:
        return None
    return "; ".join(INSTALL_HINT[name] for name in missing)


def is_available():
    return unavailable_reason() is None


def version():
    """The installed TensorRT version string, or None where it is not installed."""
    if importlib.util.find_spec("tensorrt") is None:
        return None
    return _trt_api.capabilities().version_text


def load(path, spec=None, device=0):
    """A ``TrtRunner`` for ``path``; refuses an engine built for another TensorRT or GPU.

    ``spec``, if given, must match the engine's (architecture and classes).
    """
    reason = unavailable_reason()
    if reason:
        raise BackendUnavailable("cannot run {}: {}".format(path, reason))
    sidecar = read_sidecar(path)
    engine_spec = ModelSpec.from_dict(sidecar["spec"], source=str(path) + ".json")
    if spec is not None:
        spec.check_compatible(engine_spec, what=str(path))
    from ._cuda import gpu_identity
    gpu_name = gpu_identity(device)[0]
    check_runtime_match(path, sidecar, _trt_api.capabilities().version_text, gpu_name)
    try:
        with open(path, "rb") as handle:
            plan = handle.read()
    except (IOError, OSError) as exc:
        raise ModelFileError("{}: cannot read the engine ({})".format(path, exc.strerror or exc))
    return TrtRunner(path, plan, engine_spec, sidecar["precision"], device=device)


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

    Page-locked host and device buffers hold one engine batch; larger inputs run in chunks.
    """

    backend = "tensorrt"

    def __init__(self, path, plan, spec, precision, device=0):
        from ._cuda import CudaContext, driver
        super(TrtRunner, self).__init__(path, spec, precision,
                                        "tensorrt:" + _trt_api.capabilities().version_text)
        self._cuda = driver()
        self._device = {}
        self._context = self._engine = self._runtime = self._stream = None
        self._cuda_context = CudaContext(device)
        try:
            with self._cuda_context:
                self._runtime = _trt_api.trt().Runtime(_trt_api.logger())
                self._engine = self._runtime.deserialize_cuda_engine(plan)
                if self._engine is None:
                    raise SpecMismatch("{}: TensorRT could not deserialize the engine (built by "
                                       "another TensorRT version, or corrupt); rebuild it with "
                                       "`linknet-edge build`".format(path))
                self._context = self._engine.create_execution_context()
                self._setup_buffers(_trt_api.io_tensors(self._engine))
                self._stream = self._cuda.Stream()
        except Exception:
            self.close()
            raise
        self.execute_path = _trt_api.capabilities().execute_path
        logger.info("%s: TensorRT %s, %s, input %s, outputs %s, execute path %s", path,
                    _trt_api.capabilities().version_text, precision, self._input.shape,
                    ", ".join(info.name for info in self._outputs), self.execute_path)

    def _setup_buffers(self, tensors):
        inputs = [info for info in tensors if info.is_input]
        self._outputs = [info for info in tensors if not info.is_input]
        if len(inputs) != 1 or any(d < 0 for info in tensors for d in info.shape):
            raise SpecMismatch("{}: expected one static-shape input, found {}; export the ONNX "
                               "with a static shape".format(self.path, inputs + self._outputs))
        self._input = inputs[0]
        if tuple(self._input.shape[2:]) != self.input_size:
            raise SpecMismatch("{}: engine input {} does not match the spec's size {}".format(
                self.path, self._input.shape, self.input_size))
        self._classes, self._logits = _pick_outputs(self._outputs)
        if self._classes is None and self._logits is None:
            raise SpecMismatch("{}: engine has neither a 'classes' nor a 'logits' output".format(
                self.path))
        self._host = {}
        for info in tensors:
            self._host[info.name] = self._cuda.pagelocked_empty(info.shape, info.dtype)
            self._device[info.name] = self._cuda.mem_alloc(self._host[info.name].nbytes)
        self._bindings = _trt_api.bind_addresses(
            self._context, tensors, {name: int(alloc) for name, alloc in self._device.items()})
        self.fixed_batch = self._input.shape[0]

    @property
    def batch_size(self):
        """The engine's fixed batch size; ``run`` splits larger batches into chunks."""
        return self.fixed_batch

    def _infer(self, batch, output):
        """One engine batch through the engine; returns a copy of ``output``."""
        host_in, host_out = self._host[self._input.name], self._host[output.name]
        device_in, device_out = self._device[self._input.name], self._device[output.name]
        with self._cuda_context:
            host_in[...] = batch
            self._cuda.memcpy_htod_async(device_in, host_in, self._stream)
            if not _trt_api.execute(self._context, self._bindings, self._stream.handle):
                raise InferenceError("{}: TensorRT refused to execute".format(self.path))
            self._cuda.memcpy_dtoh_async(host_out, device_out, self._stream)
            self._stream.synchronize()
            return np.array(host_out)

    def _run_classes(self, batch):
        if self._classes is not None:
            return self._infer(batch, self._classes)
        return np.argmax(self._infer(batch, self._logits), axis=1)

    def _run_logits(self, batch):
        if self._logits is None:
            raise BackendUnavailable("{}: engine has only the 'classes' output; export the ONNX "
                                     "with logits to get them".format(self.path))
        return self._infer(batch, self._logits)

    def _release(self):
        """Free device memory and release the CUDA context."""
        with self._cuda_context:
            for allocation in self._device.values():
                allocation.free()
            self._device = {}
            self._context = self._engine = self._runtime = self._stream = None
        self._cuda_context.release()


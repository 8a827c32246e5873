"""The TensorRT verbs every caller uses; each picks its generation from ``capabilities()``.

``tensorrt`` is imported on first use only. A module that is found but cannot load (its
libnvinfer missing: a JetPack 4 container started without ``--runtime nvidia``) and a TensorRT
that cannot start CUDA (``trt.Builder``/``trt.Runtime`` raise "factory function returned
nullptr") become one-line ``BackendUnavailable`` errors naming the cause.
"""

import logging

from linknet_edge.errors import BackendUnavailable, first_line

from .versions import DTYPE_NAMES, Capabilities, strongly_typed_flags

__all__ = [
    "trt", "load_problem", "reset", "capabilities", "trt_severity", "logger", "create_builder",
    "create_runtime", "create_network", "set_workspace", "set_builder_flags", "set_calibrator",
    "calibrator_base", "parse_onnx", "build_serialized", "numpy_dtype", "TensorInfo",
    "io_tensors", "bind_addresses", "execute",
]

_MODULE = []
_CAPS = []
_LOGGER = []

NO_CUDA = ("CUDA could not start: no usable GPU is visible to this process (check the NVIDIA "
           "driver, access to /dev/nvidia* or /dev/nvhost*, and start a container with "
           "`--runtime nvidia` or `--gpus all`)")


def _load_reason(exc):
    text = first_line(exc)
    if "cannot open shared object file" in text or "libnv" in text:
        return ("the TensorRT Python module is installed but cannot load: {} (its libraries "
                "are missing: in a Jetson container start it with `--runtime nvidia`; on x86 "
                "install the matching TensorRT libraries)".format(text))
    return "the TensorRT Python module is installed but cannot load: {}".format(text)


def trt():
    """The imported ``tensorrt`` module; ``BackendUnavailable`` if it is installed but broken."""
    if not _MODULE:
        try:
            import tensorrt
        except ImportError as exc:
            if isinstance(exc, ModuleNotFoundError) and exc.name == "tensorrt":
                raise BackendUnavailable("the TensorRT Python module is not installed")
            raise BackendUnavailable(_load_reason(exc))
        except Exception as exc:  # e.g. an AttributeError from a numpy it was not built for
            raise BackendUnavailable(_load_reason(exc))
        _MODULE.append(tensorrt)
    return _MODULE[0]


def load_problem():
    """None if ``tensorrt`` imports, else the one-line reason (imports it; never raises)."""
    try:
        trt()
    except BackendUnavailable as exc:
        return str(exc)
    return None


def reset():
    """Forget the imported module, its capabilities and logger (tests switch TensorRT)."""
    del _MODULE[:], _CAPS[:], _LOGGER[:]


def capabilities():
    """The installed TensorRT's ``Capabilities`` (probed on the first call)."""
    if not _CAPS:
        _CAPS.append(Capabilities(trt()))
    return _CAPS[0]


def trt_severity(level):
    """Our ``logging`` level -> the minimum ``trt.Logger`` severity to print.

    TensorRT's INFO is dozens of lines per build, so it shows from ``-vv`` (DEBUG) up;
    VERBOSE only below DEBUG (level < 10).
    """
    severity = trt().Logger
    if level < logging.DEBUG:
        return severity.VERBOSE
    if level <= logging.DEBUG:
        return severity.INFO
    if level <= logging.WARNING:
        return severity.WARNING
    if level <= logging.ERROR:
        return severity.ERROR
    return severity.INTERNAL_ERROR


def logger(level=None):
    """The process-wide ``trt.Logger`` (TensorRT treats it as a singleton) at ``level``
    (default: the effective level of ``linknet_edge.runtime``'s logger)."""
    if level is None:
        level = logging.getLogger("linknet_edge.runtime").getEffectiveLevel()
    severity = trt_severity(level)
    if not _LOGGER:
        _LOGGER.append(trt().Logger(severity))
    else:
        _LOGGER[0].min_severity = severity
    return _LOGGER[0]


def _create(kind):
    module = trt()
    try:
        return getattr(module, kind)(logger())
    except TypeError as exc:  # pybind11: "factory function returned nullptr"
        if "nullptr" not in str(exc):
            raise
        raise BackendUnavailable("TensorRT {} could not create its {}: {}".format(
            capabilities().version_text, kind, NO_CUDA))


def create_builder():
    """A ``trt.Builder``; ``BackendUnavailable`` (one line) where CUDA cannot start."""
    return _create("Builder")


def create_runtime():
    """A ``trt.Runtime``; ``BackendUnavailable`` (one line) where CUDA cannot start."""
    return _create("Runtime")


def create_network(builder, strongly_typed=False):
    """An empty network for the ONNX parser: EXPLICIT_BATCH where implicit batch still exists
    (8.x, 9.x), STRONGLY_TYPED when asked (bit looked up, never hard-coded; 11.x always is)."""
    module = trt()
    flags = 0
    if capabilities().needs_explicit_batch_flag:
        flags |= 1 << int(module.NetworkDefinitionCreationFlag.EXPLICIT_BATCH)
    if strongly_typed:
        flags |= strongly_typed_flags(module)
    return builder.create_network(flags)


def set_workspace(config, nbytes):
    """Cap the builder's scratch memory: a memory pool (8.4+) or ``max_workspace_size``."""
    if capabilities().has_memory_pool:
        config.set_memory_pool_limit(trt().MemoryPoolType.WORKSPACE, int(nbytes))
    else:
        config.max_workspace_size = int(nbytes)


def set_builder_flags(config, names):
    """Set ``trt.BuilderFlag`` members by name (e.g. ``("FP16", "INT8")``)."""
    for name in names:
        config.set_flag(getattr(trt().BuilderFlag, name))


def calibrator_base():
    """``trt.IInt8EntropyCalibrator2``, to subclass (8.x-10.x only)."""
    return trt().IInt8EntropyCalibrator2


def set_calibrator(config, calibrator):
    config.int8_calibrator = calibrator


def parse_onnx(network, data):
    """Parse ONNX bytes into ``network``; returns ``(parser, errors)`` (keep the parser alive
    while building: the network refers to its weights)."""
    parser = trt().OnnxParser(network, logger())
    parsed = parser.parse(data)
    errors = [str(parser.get_error(i)).strip() for i in range(parser.num_errors)]
    if not parsed and not errors:
        errors = ["no error reported"]
    return parser, errors


def build_serialized(builder, network, config):
    """Build and serialize: the plan as ``bytes``, or None when TensorRT reports failure."""
    if capabilities().has_serialized_build:
        plan = builder.build_serialized_network(network, config)
    else:
        engine = builder.build_engine(network, config)
        plan = engine.serialize() if engine is not None else None
    if plan is None:
        return None
    return bytes(memoryview(plan))


def numpy_dtype(trt_dtype):
    """A ``trt.DataType`` -> numpy scalar type, by member name (not ``trt.nptype``)."""
    import numpy as np
    name = getattr(trt_dtype, "name", None) or str(trt_dtype).rsplit(".", 1)[-1]
    if name not in DTYPE_NAMES:
        raise BackendUnavailable("engine tensor of TensorRT type {} has no numpy type".format(name))
    return np.dtype(DTYPE_NAMES[name]).type


class TensorInfo(object):
    """One engine input or output: name, shape (tuple), numpy dtype, binding index (v2)."""

    def __init__(self, name, shape, dtype, is_input, index):
        self.name = name
        self.shape = tuple(int(d) for d in shape)
        self.dtype = dtype
        self.is_input = is_input
        self.index = index

    def __repr__(self):
        return "TensorInfo({!r}, {}, {}, {})".format(
            self.name, self.shape, self.dtype.__name__, "input" if self.is_input else "output")


def io_tensors(engine):
    """Every engine I/O tensor as ``TensorInfo``, in binding order (which v2 requires)."""
    tensors = []
    if capabilities().has_tensor_api:
        module = trt()
        for index in range(engine.num_io_tensors):
            name = engine.get_tensor_name(index)
            tensors.append(TensorInfo(
                name, engine.get_tensor_shape(name), numpy_dtype(engine.get_tensor_dtype(name)),
                engine.get_tensor_mode(name) == module.TensorIOMode.INPUT, index))
    else:
        for index in range(engine.num_bindings):
            tensors.append(TensorInfo(
                engine.get_binding_name(index), engine.get_binding_shape(index),
                numpy_dtype(engine.get_binding_dtype(index)), engine.binding_is_input(index),
                index))
    return tensors


def bind_addresses(context, tensors, addresses):
    """Prepare ``execute``: v3 sets every tensor address once; v2 returns the bindings list.

    ``addresses`` maps tensor name -> device pointer (int). Returns what ``execute`` takes.
    """
    if capabilities().has_tensor_api:
        for info in tensors:
            context.set_tensor_address(info.name, int(addresses[info.name]))
        return None
    bindings = [0] * len(tensors)
    for info in tensors:
        bindings[info.index] = int(addresses[info.name])
    return bindings


def execute(context, bindings, stream_handle):
    """Enqueue one inference on ``stream_handle`` (int); True if TensorRT accepted it.

    ``bindings`` is what ``bind_addresses`` returned: None on the tensor path (v3), the
    device-pointer list on the binding path (v2).
    """
    if bindings is None:
        return bool(context.execute_async_v3(stream_handle=stream_handle))
    return bool(context.execute_async_v2(bindings=bindings, stream_handle=stream_handle))

"""The one module that knows TensorRT API generations; everything else calls these verbs.

Generations served:
- 8.2 (JetPack 4.6, TX1/TX2/Nano): binding API (``num_bindings``, ``execute_async_v2``),
  ``config.max_workspace_size``, networks need the EXPLICIT_BATCH flag.
- 8.4+: ``config.set_memory_pool_limit``; 8.5+ (JetPack 5): named I/O tensors
  (``num_io_tensors``, ``set_tensor_address``, ``execute_async_v3``).
- 10.x (JetPack 6, x86): binding API, ``max_workspace_size`` and the EXPLICIT_BATCH flag are gone.

Capabilities are probed once, from what the installed module offers, and the version is parsed
once into an int tuple (never compared as a string: "10.0" < "8.6" as text). ``tensorrt`` is
imported on first use only.
"""

import logging

__all__ = [
    "trt", "parse_version", "capabilities", "Capabilities", "trt_severity", "logger",
    "create_network", "set_workspace", "build_serialized", "io_tensors", "TensorInfo",
    "bind_addresses", "execute",
]

_MODULE = []
_CAPS = []
_LOGGER = []


def trt():
    """The imported ``tensorrt`` module (imported on the first call)."""
    if not _MODULE:
        import tensorrt
        _MODULE.append(tensorrt)
    return _MODULE[0]


def parse_version(text):
    """``"8.2.1.8"`` -> ``(8, 2, 1, 8)``; stops at the first non-numeric part (``"10.0.0b6"``)."""
    numbers = []
    for part in str(text).split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        numbers.append(int(digits))
        if len(digits) != len(part):
            break
    return tuple(numbers)


class Capabilities(object):
    """What the installed TensorRT offers, probed once from its classes (not its docs)."""

    def __init__(self, module):
        self.version = parse_version(module.__version__)
        self.version_text = module.__version__
        #: named I/O tensors + execute_async_v3 (8.5+); the only path in 10.x
        self.has_tensor_api = hasattr(module.ICudaEngine, "num_io_tensors")
        #: binding API + execute_async_v2 (up to 9.x)
        self.has_binding_api = hasattr(module.ICudaEngine, "num_bindings")
        #: config.set_memory_pool_limit (8.4+); else config.max_workspace_size
        self.has_memory_pool = hasattr(module.IBuilderConfig, "set_memory_pool_limit")
        #: builder.build_serialized_network (8.0+)
        self.has_serialized_build = hasattr(module.Builder, "build_serialized_network")
        #: 10.x ignores/removes EXPLICIT_BATCH: every network is explicit-batch
        self.needs_explicit_batch_flag = self.version < (10,) and hasattr(
            module.NetworkDefinitionCreationFlag, "EXPLICIT_BATCH")

    @property
    def execute_path(self):
        """``"v3"`` (tensor addresses) where offered, else ``"v2"`` (bindings)."""
        return "v3" if self.has_tensor_api else "v2"


def capabilities():
    """The installed TensorRT's ``Capabilities`` (probed on the first call)."""
    if not _CAPS:
        _CAPS.append(Capabilities(trt()))
    return _CAPS[0]


def trt_severity(level):
    """Our ``logging`` level -> the minimum ``trt.Logger`` severity to print.

    TensorRT's INFO is dozens of lines per build, so it shows from ``-vv`` (DEBUG) up;
    VERBOSE only below DEBUG (level < 10), e.g.
    ``logging.getLogger("linknet_edge.runtime").setLevel(5)``.
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
    """The process-wide ``trt.Logger`` (TensorRT treats it as a singleton) at ``level``.

    ``level`` defaults to the effective level of this package's logger. A plain ``trt.Logger``
    rather than an ``ILogger`` subclass: subclassing is documented from 8.5 on only.
    """
    if level is None:
        level = logging.getLogger("linknet_edge.runtime").getEffectiveLevel()
    severity = trt_severity(level)
    if not _LOGGER:
        _LOGGER.append(trt().Logger(severity))
    else:
        _LOGGER[0].min_severity = severity
    return _LOGGER[0]


def create_network(builder):
    """An empty network for the ONNX parser: explicit batch (flag before 10.x, implicit after)."""
    flags = 0
    if capabilities().needs_explicit_batch_flag:
        flags = 1 << int(trt().NetworkDefinitionCreationFlag.EXPLICIT_BATCH)
    return builder.create_network(flags)


def set_workspace(config, nbytes):
    """Cap the builder's scratch memory: a memory pool (8.4+) or ``max_workspace_size``."""
    if capabilities().has_memory_pool:
        config.set_memory_pool_limit(trt().MemoryPoolType.WORKSPACE, int(nbytes))
    else:
        config.max_workspace_size = int(nbytes)


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
    import numpy as np
    module = trt()
    tensors = []
    if capabilities().has_tensor_api:
        for index in range(engine.num_io_tensors):
            name = engine.get_tensor_name(index)
            tensors.append(TensorInfo(
                name, engine.get_tensor_shape(name),
                np.dtype(module.nptype(engine.get_tensor_dtype(name))).type,
                engine.get_tensor_mode(name) == module.TensorIOMode.INPUT, index))
    else:
        for index in range(engine.num_bindings):
            tensors.append(TensorInfo(
                engine.get_binding_name(index), engine.get_binding_shape(index),
                np.dtype(module.nptype(engine.get_binding_dtype(index))).type,
                engine.binding_is_input(index), index))
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
    """Enqueue one inference on ``stream_handle``; True if TensorRT accepted it.

    ``bindings`` is what ``bind_addresses`` returned: None on the tensor path (v3), the
    device-pointer list on the binding path (v2).
    """
    if bindings is None:
        return bool(context.execute_async_v3(stream_handle))
    return bool(context.execute_async_v2(bindings=bindings, stream_handle=stream_handle))

"""STAND-IN for NVIDIA TensorRT, for tests on machines without it. Not TensorRT.

The flavour follows ``LINKNET_EDGE_STAND_IN_TRT`` (a version string, default 8.2.1.8) and offers
only what that generation's Python API offers: the binding API and ``max_workspace_size`` below
10, memory pools from 8.4, named tensors and ``execute_async_v3`` from 8.5, no EXPLICIT_BATCH
flag in 10. The "plan" is a header plus the ONNX bytes; "execution" runs that ONNX with ONNX
Runtime on the stand-in pycuda's memory, so results are real numbers. Every API call the code
under test makes is appended to ``CALLS`` as ``(name, detail)``.
"""

import json
import os

import numpy as np

__version__ = os.environ.get("LINKNET_EDGE_STAND_IN_TRT", "8.2.1.8")
_V = tuple(int(p) for p in __version__.split(".")[:2])
CALLS = []
BUILT_PLANS = []
_MAGIC = b"STAND-IN TENSORRT PLAN\n"

def _supported_ops():
    from linknet_edge.export.trt82_operators import SUPPORTED_OPS  # 8.2's list
    return SUPPORTED_OPS


def _call(name, detail=None):
    CALLS.append((name, detail))


class _Enum(object):
    def __init__(self, name, value):
        self.name, self.value = name, value

    def __int__(self):
        return self.value

    def __eq__(self, other):
        return isinstance(other, _Enum) and (self.name, self.value) == (other.name, other.value)

    def __hash__(self):
        return hash((self.name, self.value))

    def __repr__(self):
        return self.name


class Logger(object):
    INTERNAL_ERROR, ERROR, WARNING, INFO, VERBOSE = [_Enum(n, v) for v, n in enumerate(
        ("INTERNAL_ERROR", "ERROR", "WARNING", "INFO", "VERBOSE"))]

    def __init__(self, min_severity=None):
        self.min_severity = min_severity or Logger.WARNING
        _call("Logger", min_severity)


ILogger = Logger


class DataType(object):
    FLOAT, HALF, INT8, INT32, BOOL = [_Enum(n, v) for v, n in enumerate(
        ("FLOAT", "HALF", "INT8", "INT32", "BOOL"))]


def nptype(dtype):
    return {"FLOAT": np.float32, "HALF": np.float16, "INT8": np.int8, "INT32": np.int32,
            "BOOL": np.bool_}[dtype.name]


class BuilderFlag(object):
    FP16, INT8 = _Enum("FP16", 0), _Enum("INT8", 1)


class NetworkDefinitionCreationFlag(object):
    EXPLICIT_BATCH = _Enum("EXPLICIT_BATCH", 0)


class MemoryPoolType(object):
    WORKSPACE = _Enum("WORKSPACE", 0)


class TensorIOMode(object):
    NONE, INPUT, OUTPUT = _Enum("NONE", 0), _Enum("INPUT", 1), _Enum("OUTPUT", 2)


class IInt8EntropyCalibrator2(object):
    def __init__(self):
        _call("IInt8EntropyCalibrator2.__init__")


class ParserError(object):
    def __init__(self, node, op, desc):
        self._node, self._op, self._desc = node, op, desc

    def desc(self):
        return self._desc

    def __str__(self):
        return "In node {} ({}): {}".format(self._node, self._op, self._desc)


class INetworkDefinition(object):
    def __init__(self, explicit_batch):
        self.explicit_batch = explicit_batch
        self.onnx_bytes = None
        self.inputs = []

    @property
    def num_inputs(self):
        return len(self.inputs)

    def get_input(self, index):
        return self.inputs[index]


class ITensor(object):
    def __init__(self, name, shape):
        self.name, self.shape = name, tuple(shape)


class OnnxParser(object):
    def __init__(self, network, logger):
        self.network, self._errors = network, []

    @property
    def num_errors(self):
        return len(self._errors)

    def get_error(self, index):
        return self._errors[index]

    def parse(self, model):
        import onnx
        _call("OnnxParser.parse")
        if not self.network.explicit_batch:
            self._errors.append(ParserError(-1, "", "network must have explicit batch"))
            return False
        proto = onnx.load_from_string(bytes(model))
        for index, node in enumerate(proto.graph.node):
            if node.op_type not in _supported_ops():
                self._errors.append(ParserError(index, node.op_type, "No importer registered for "
                                                "op: {} (node {})".format(node.op_type, node.name)))
        weights = set(i.name for i in proto.graph.initializer)
        for graph_input in proto.graph.input:
            if graph_input.name not in weights:
                dims = [d.dim_value for d in graph_input.type.tensor_type.shape.dim]
                self.network.inputs.append(ITensor(graph_input.name, dims))
        self.network.onnx_bytes = bytes(model)
        return not self._errors


class IBuilderConfig(object):
    _ALLOWED = {"int8_calibrator", "flags", "pools"} | ({"max_workspace_size"} if _V < (10, 0)
                                                         else set())

    def __init__(self):
        self.flags, self.pools, self.int8_calibrator = set(), {}, None

    def __setattr__(self, name, value):
        if name not in self._ALLOWED:
            raise AttributeError("'IBuilderConfig' has no attribute '{}' in TensorRT {}".format(
                name, __version__))
        if name == "max_workspace_size":
            _call("config.max_workspace_size", value)
        object.__setattr__(self, name, value)

    def set_flag(self, flag):
        _call("config.set_flag", flag.name)
        self.flags.add(flag.name)

    def set_memory_pool_limit(self, pool, size):
        _call("config.set_memory_pool_limit", (pool.name, size))
        self.pools[pool.name] = size


class Builder(object):
    def __init__(self, logger):
        _call("Builder", __version__)

    def create_network(self, flags=0):
        _call("Builder.create_network", flags)
        return INetworkDefinition(_V >= (10, 0) or bool(flags & 1))

    def create_builder_config(self):
        return IBuilderConfig()

    def build_serialized_network(self, network, config):
        _call("Builder.build_serialized_network", sorted(config.flags))
        from pycuda import driver
        driver._require_context()
        calibrated = 0
        if "INT8" in config.flags:
            calibrator = config.int8_calibrator
            cache = calibrator.read_calibration_cache()
            if not cache:
                shape = network.get_input(0).shape
                checksums = []
                while True:
                    pointers = calibrator.get_batch([network.get_input(0).name])
                    if not pointers:
                        break
                    batch = driver._read(pointers[0], shape, np.float32)
                    checksums.append(float(batch.sum()))
                    calibrated += 1
                if not calibrated:
                    return None
                cache = "TRT-{}-EntropyCalibration2\n{}\n".format(
                    __version__, json.dumps(checksums)).encode()
                calibrator.write_calibration_cache(memoryview(cache))
        header = {"version": __version__, "flags": sorted(config.flags),
                  "calibrated_batches": calibrated}
        plan = _MAGIC + json.dumps(header).encode() + b"\n" + network.onnx_bytes
        BUILT_PLANS.append(plan)
        return _HostMemory(plan)


class _HostMemory(bytearray):
    """Like IHostMemory: not bytes, but readable through the buffer protocol."""


class ICudaEngine(object):
    def __init__(self, header, onnx_bytes):
        import onnxruntime
        self.header = header
        self.session = onnxruntime.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
        self._tensors = []
        for info in self.session.get_inputs():
            self._tensors.append((info.name, tuple(info.shape), DataType.FLOAT, True))
        for info in self.session.get_outputs():
            dtype = DataType.FLOAT if "float" in info.type else DataType.INT32
            self._tensors.append((info.name, tuple(info.shape), dtype, False))

    # binding API (removed in 10)
    @property
    def num_bindings(self):
        return len(self._tensors)

    def get_binding_name(self, index):
        return self._tensors[index][0]

    def binding_is_input(self, index):
        return self._tensors[index][3]

    def get_binding_shape(self, index):
        return self._tensors[index][1]

    def get_binding_dtype(self, index):
        return self._tensors[index][2]

    # tensor API (8.5+)
    @property
    def num_io_tensors(self):
        return len(self._tensors)

    def get_tensor_name(self, index):
        return self._tensors[index][0]

    def _named(self, name):
        return [t for t in self._tensors if t[0] == name][0]

    def get_tensor_mode(self, name):
        return TensorIOMode.INPUT if self._named(name)[3] else TensorIOMode.OUTPUT

    def get_tensor_shape(self, name):
        return self._named(name)[1]

    def get_tensor_dtype(self, name):
        return self._named(name)[2]

    def create_execution_context(self):
        return IExecutionContext(self)


class IExecutionContext(object):
    def __init__(self, engine):
        self.engine, self.addresses = engine, {}

    def _run(self, addresses):
        from pycuda import driver
        driver._require_context()
        engine = self.engine
        feeds = {name: driver._read(addresses[name], shape, nptype(dtype))
                 for name, shape, dtype, is_input in engine._tensors if is_input}
        names = [name for name, _, _, is_input in engine._tensors if not is_input]
        for name, value in zip(names, engine.session.run(names, feeds)):
            dtype = engine._named(name)[2]
            driver._write(addresses[name], np.ascontiguousarray(value, dtype=nptype(dtype)))
        return True

    def execute_async_v2(self, bindings, stream_handle):
        _call("execute_async_v2", stream_handle)
        return self._run({t[0]: bindings[i] for i, t in enumerate(self.engine._tensors)})

    def set_tensor_address(self, name, address):
        _call("set_tensor_address", name)
        self.addresses[name] = address
        return True

    def execute_async_v3(self, stream_handle):
        _call("execute_async_v3", stream_handle)
        return self._run(self.addresses)


class Runtime(object):
    def __init__(self, logger):
        _call("Runtime", __version__)

    def deserialize_cuda_engine(self, plan):
        from pycuda import driver
        driver._require_context()
        plan = bytes(plan)
        if not plan.startswith(_MAGIC):
            return None
        header_line, onnx_bytes = plan[len(_MAGIC):].split(b"\n", 1)
        header = json.loads(header_line.decode())
        if header["version"] != __version__:  # like TensorRT: plans are version-bound
            return None
        return ICudaEngine(header, onnx_bytes)


# Remove what this generation does not offer, so code that uses it fails as on the real thing.
if _V < (8, 4):
    del IBuilderConfig.set_memory_pool_limit, MemoryPoolType
if _V < (8, 5):
    for _name in ("num_io_tensors", "get_tensor_name", "get_tensor_mode", "get_tensor_shape",
                  "get_tensor_dtype"):
        delattr(ICudaEngine, _name)
    del IExecutionContext.set_tensor_address, IExecutionContext.execute_async_v3, TensorIOMode
if _V >= (10, 0):
    for _name in ("num_bindings", "get_binding_name", "binding_is_input", "get_binding_shape",
                  "get_binding_dtype"):
        delattr(ICudaEngine, _name)
    del IExecutionContext.execute_async_v2, NetworkDefinitionCreationFlag.EXPLICIT_BATCH

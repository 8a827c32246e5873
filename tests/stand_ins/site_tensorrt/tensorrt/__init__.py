"""STAND-IN for NVIDIA TensorRT, for tests on machines without it. Not TensorRT.

The flavour follows ``LINKNET_EDGE_STAND_IN_TRT`` (a version string, default 8.2.1.8) and its
public API is generated from that release's REAL surface (tests/stand_ins/surfaces/, recorded
from NVIDIA's 8.2.1 binding sources and the 8.6.1 / 10.3.0 / 10.16.1.11 / 11.4.0.106 wheels, and
checked against the wheels by tests/test_runtime/test_tensorrt_real_bindings.py): only members
the real version has, methods taking the real parameter names, enum members with the real values
(STRONGLY_TYPED is 1 in 10.x, 0 in 11.x). Everything the code under test touches is recorded
in ``tests.stand_ins.surfaced.USED``; behaviour calls in ``_CALLS``.

Behaviour: the "plan" is a header plus the ONNX bytes; "execution" runs that ONNX with ONNX
Runtime on the stand-in GPU's memory (tests/stand_ins/device.py), so results are real numbers.
Like TensorRT: ONNX needs an explicit-batch network where implicit batch exists (8.x, 9.x); a
strongly typed network refuses precision flags; a Q/DQ graph needs the INT8 flag unless strongly
typed; INT8 with a calibrator reads its cache and skips one whose ``TRT-<version>-`` header is
another version's, then asks for batches (and fails without any); plans are version-bound; an
ArgMax output without a Cast is INT64 where DataType has INT64 (9.0+); ``trt.Builder`` and
``trt.Runtime`` raise "factory function returned nullptr" where CUDA cannot start
(``LINKNET_EDGE_STAND_IN_NO_CUDA=1``). The ONNX parser accepts the 8.2-GA operator table
(+ Xor from 8.4): an approximation for newer versions.
"""

# Every module-level name is private unless the real module has it.
import json as _json
import os as _os
import sys as _sys
import types as _types

import numpy as _np

from tests.stand_ins import device as _device
from tests.stand_ins.surfaced import Surfaced as _Surfaced
from tests.stand_ins.surfaced import enum_class as _enum_class
from tests.stand_ins.surfaced import public_class as _public_class
from tests.stand_ins.surfaced import record as _record

__version__ = _os.environ.get("LINKNET_EDGE_STAND_IN_TRT", "8.2.1.8")
_V = tuple(int(p) for p in __version__.split(".")[:3])
_CALLS = []
_PLANS = []
_MAGIC = b"STAND-IN TENSORRT PLAN\n"
_SURFACES = _os.path.join(_os.path.dirname(_os.path.dirname(_os.path.dirname(
    _os.path.abspath(__file__)))), "surfaces")
_NULLPTR = "pybind11::init(): factory function returned nullptr"


def _load_surface():
    for name in sorted(_os.listdir(_SURFACES)):
        version = tuple(int(p) for p in name[len("tensorrt-"):-len(".json")].split("."))
        if version[:2] == _V[:2]:
            with open(_os.path.join(_SURFACES, name)) as handle:
                return _json.load(handle)
    raise ImportError("no stand-in surface for TensorRT {} in {}".format(__version__, _SURFACES))


_SURFACE = _load_surface()
_PUBLIC = {}
_SEVERITY = {}


def _call(name, detail=None):
    _CALLS.append((name, detail))


def _make(name, *args):
    cls = _PUBLIC[name]
    obj = cls.__new__(cls)
    obj._setup(*args)
    return obj


def _member(enum, name):
    return _PUBLIC[enum].__members__.get(name) if enum in _PUBLIC else None


def _bit(enum, name):
    member = _member(enum, name)
    return 0 if member is None else 1 << int(member)


def _version_number():
    major, minor, patch = _V
    return major * 1000 + minor * 100 + patch if major < 10 else major * 10000 + minor * 100 + patch


_ORT_TYPES = {"tensor(float)": "FLOAT", "tensor(float16)": "HALF", "tensor(int8)": "INT8",
              "tensor(int32)": "INT32", "tensor(int64)": "INT64", "tensor(uint8)": "UINT8",
              "tensor(bool)": "BOOL"}
_NUMPY = {"FLOAT": _np.float32, "HALF": _np.float16, "INT8": _np.int8, "INT32": _np.int32,
          "INT64": _np.int64, "UINT8": _np.uint8, "BOOL": _np.bool_}


def _trt_type(ort_type):
    name = _ORT_TYPES[ort_type]
    if name == "INT64" and _member("DataType", "INT64") is None:
        name = "INT32"  # 8.x parsers cast INT64 down to INT32
    return _member("DataType", name)


def nptype(trt_type):
    mapping = {"FLOAT": _np.float32, "HALF": _np.float16, "INT8": _np.int8, "INT32": _np.int32,
               "INT64": _np.int64, "UINT8": _np.uint8,
               # 8.2 to 8.5.2 build this dict with _np.bool, which numpy 1.24-1.26 lack
               "BOOL": getattr(_np, "bool") if _V < (8, 5, 3) else _np.bool_}
    if trt_type.name in mapping:
        return mapping[trt_type.name]
    raise TypeError("Could not resolve TensorRT datatype to an equivalent numpy datatype.")


class _ILogger(object):
    def __init__(self):
        pass

    def log(self, severity, msg):
        pass


class _Logger(_ILogger):
    def __init__(self, min_severity=None):
        self._min = min_severity if min_severity is not None else _SEVERITY["WARNING"]
        _call("Logger", self._min)

    def _get_min(self):
        return self._min

    def _set_min(self, value):
        self._min = value

    min_severity = property(_get_min, _set_min)


class _Builder(object):
    def __init__(self, logger):
        if not _device.cuda_works():
            raise TypeError(_NULLPTR)
        _call("Builder", __version__)

    def create_network(self, flags=0):
        _call("Builder.create_network", flags)
        return _make("INetworkDefinition", int(flags))

    def create_builder_config(self):
        return _make("IBuilderConfig")

    max_batch_size = property(lambda self: 1, lambda self, value: None)

    def build_serialized_network(self, network, config):
        flags = sorted(config._flags)
        _call("Builder.build_serialized_network", flags)
        if network._onnx is None:
            return None
        if network._strongly_typed and set(flags) & {"FP16", "INT8", "BF16", "FP8"}:
            _call("error", "strongly typed networks take no precision flags")
            return None
        if network._qdq and not network._strongly_typed and "INT8" not in flags:
            _call("error", "Q/DQ layers need BuilderFlag.INT8")
            return None
        calibrated = 0
        if "INT8" in flags and not network._qdq:
            calibrated = self._calibrate(network, config._calibrator)
            if calibrated is None:
                return None
        header = {"version": __version__, "flags": flags, "calibrated_batches": calibrated,
                  "strongly_typed": network._strongly_typed, "qdq": network._qdq,
                  "fp16_onnx": network._fp16}
        plan = _MAGIC + _json.dumps(header).encode() + b"\n" + network._onnx
        _PLANS.append(plan)
        memory = _make("IHostMemory")
        bytearray.extend(memory, plan)
        return memory

    def _calibrate(self, network, calibrator):
        """Batches calibrated (0: from a usable cache), or None when calibration failed."""
        if calibrator is None:
            return None
        header = "TRT-{}-EntropyCalibration2".format(_version_number()).encode()
        cache = calibrator.read_calibration_cache()
        if cache and not bytes(cache).startswith(header):
            _call("calibration cache rejected", bytes(cache)[:40])  # as TensorRT: skipped
            cache = None
        if cache:
            return 0
        name, shape, dtype = network._inputs[0]
        if calibrator.get_batch_size() != shape[0]:
            _call("error", "calibration batch size differs from the network's")
            return None
        checksums = []
        while True:
            pointers = calibrator.get_batch([name])
            if not pointers:
                break
            checksums.append(float(_device.read(pointers[0], shape, dtype).sum()))
        if not checksums:
            _call("error", "calibration: no batches")
            return None
        calibrator.write_calibration_cache(memoryview(header + b"\n" + _json.dumps(
            checksums).encode() + b"\n"))
        return len(checksums)


class _BuilderConfig(object):
    def _setup(self):
        self._flags, self._pools, self._calibrator, self._workspace = set(), {}, None, None

    def set_flag(self, flag):
        _call("config.set_flag", flag.name)
        self._flags.add(flag.name)

    def set_memory_pool_limit(self, pool, pool_size):
        _call("config.set_memory_pool_limit", (pool.name, pool_size))
        self._pools[pool.name] = pool_size

    def _get_workspace(self):
        return self._workspace

    def _set_workspace(self, value):
        _call("config.max_workspace_size", value)
        self._workspace = value

    max_workspace_size = property(_get_workspace, _set_workspace)

    def _get_calibrator(self):
        return self._calibrator

    def _set_calibrator(self, value):
        self._calibrator = value

    int8_calibrator = property(_get_calibrator, _set_calibrator)


class _Network(object):
    def _setup(self, flags):
        implicit_batch_exists = _V < (10,)
        self._explicit_batch = not implicit_batch_exists or bool(
            flags & _bit("NetworkDefinitionCreationFlag", "EXPLICIT_BATCH"))
        strongly = _bit("NetworkDefinitionCreationFlag", "STRONGLY_TYPED")
        self._strongly_typed = _V >= (11,) or bool(strongly and flags & strongly)
        self._onnx, self._inputs, self._qdq, self._fp16 = None, [], False, False


class _ParserError(object):
    def _setup(self, node, op, desc):
        self._node, self._op, self._desc = node, op, desc

    def desc(self):
        return self._desc

    def __str__(self):
        return "In node {} ({}): {}".format(self._node, self._op, self._desc)


class _OnnxParser(object):
    def __init__(self, network, logger):
        self._network, self._errors = network, []

    def _get_num_errors(self):
        return len(self._errors)

    num_errors = property(_get_num_errors)

    def get_error(self, index):
        return self._errors[index]

    def _error(self, node, op, text):
        self._errors.append(_make("ParserError", node, op, text))

    def parse(self, model, path=None):
        _call("OnnxParser.parse")
        network = self._network
        if not network._explicit_batch:
            self._error(-1, "", "network must have explicit batch")
            return False
        info = _read_onnx(bytes(model))
        table = _parser_ops((8, 2))
        supported = table.supported | table.experimental | ({"Xor"} if _V >= (8, 4) else set())
        for index, op in enumerate(sorted(info.op_types - supported)):
            self._error(index, op, "UNSUPPORTED_NODE: No importer registered for op: " + op)
        for graph_input in info.inputs:  # as 8.2-GA importInput: convertDtype has no UINT8
            if graph_input.dtype == "uint8" and _member("DataType", "UINT8") is None:
                self._error(-1, "", "In node -1 (importInput): UNSUPPORTED_NODE: Assertion "
                            "failed: convertDtype(onnxDtype.elem_type(), &trtDtype) && \"Failed "
                            "to convert ONNX date type to TensorRT data type.\"")
        network._inputs = [(i.name, tuple(i.shape), _np.dtype(i.dtype)) for i in info.inputs]
        network._qdq = info.precision == "int8"
        network._fp16 = info.precision == "fp16"
        network._onnx = bytes(model)
        return not self._errors


def _read_onnx(data):
    """The graph facts of ONNX bytes, read with the project's stdlib reader (so the stand-in
    parses where onnx is not importable, as the real parser does)."""
    import tempfile
    from linknet_edge.onnx_file import read_onnx_info
    handle, path = tempfile.mkstemp(suffix=".onnx")
    try:
        with _os.fdopen(handle, "wb") as stream:
            stream.write(data)
        info = read_onnx_info(path)
    finally:
        _os.remove(path)
    return info


def _parser_ops(version):
    from linknet_edge.runtime.backends.tensorrt.versions import parser_ops
    return parser_ops(version)


class _Runtime(object):
    def __init__(self, logger):
        if not _device.cuda_works():
            raise TypeError(_NULLPTR)
        _call("Runtime", __version__)

    def deserialize_cuda_engine(self, serialized_engine):
        plan = bytes(serialized_engine)
        if not plan.startswith(_MAGIC):
            return None
        header_line, onnx_bytes = plan[len(_MAGIC):].split(b"\n", 1)
        header = _json.loads(header_line.decode())
        if header["version"] != __version__:  # like TensorRT: plans are version-bound
            return None
        return _make("ICudaEngine", header, onnx_bytes)


class _CudaEngine(object):
    def _setup(self, header, onnx_bytes):
        import onnxruntime
        self._header = header
        self._session = onnxruntime.InferenceSession(onnx_bytes,
                                                     providers=["CPUExecutionProvider"])
        self._tensors = [(i.name, tuple(i.shape), _trt_type(i.type), True)
                         for i in self._session.get_inputs()]
        self._tensors += [(o.name, tuple(o.shape), _trt_type(o.type), False)
                          for o in self._session.get_outputs()]

    def _named(self, name):
        return [t for t in self._tensors if t[0] == name][0]

    # binding API (8.x, 9.x)
    num_bindings = property(lambda self: len(self._tensors))

    def get_binding_name(self, index):
        return self._tensors[index][0]

    def binding_is_input(self, index):
        return self._tensors[index][3]

    def get_binding_shape(self, index):
        return self._tensors[index][1]

    def get_binding_dtype(self, index):
        return self._tensors[index][2]

    # tensor API (8.5+)
    num_io_tensors = property(lambda self: len(self._tensors))

    def get_tensor_name(self, index):
        return self._tensors[index][0]

    def get_tensor_mode(self, name):
        return _member("TensorIOMode", "INPUT" if self._named(name)[3] else "OUTPUT")

    def get_tensor_shape(self, name):
        return self._named(name)[1]

    def get_tensor_dtype(self, name):
        return self._named(name)[2]

    def create_execution_context(self, strategy=None):
        return _make("IExecutionContext", self)


class _ExecutionContext(object):
    def _setup(self, engine):
        self._engine, self._addresses = engine, {}

    def _run(self, addresses):
        engine = self._engine
        feeds = dict((name, _device.read(addresses[name], shape, _NUMPY[dtype.name]))
                     for name, shape, dtype, is_input in engine._tensors if is_input)
        outputs = [(name, dtype) for name, _, dtype, is_input in engine._tensors if not is_input]
        values = engine._session.run([name for name, _ in outputs], feeds)
        for (name, dtype), value in zip(outputs, values):
            _device.write(addresses[name], _np.ascontiguousarray(value, dtype=_NUMPY[dtype.name]))
        return True

    def execute_async_v2(self, bindings, stream_handle, input_consumed=None):
        _call("execute_async_v2", stream_handle)
        return self._run(dict((t[0], bindings[i]) for i, t in enumerate(self._engine._tensors)))

    def set_tensor_address(self, name, memory):
        _call("set_tensor_address", name)
        self._addresses[name] = memory
        return True

    def execute_async_v3(self, stream_handle):
        _call("execute_async_v3", stream_handle)
        return self._run(self._addresses)


class _Calibrator(object):
    def __init__(self):
        _call("IInt8EntropyCalibrator2.__init__")

    def get_batch_size(self):
        raise NotImplementedError("pure virtual")

    def get_batch(self, names):
        raise NotImplementedError("pure virtual")

    def read_calibration_cache(self):
        raise NotImplementedError("pure virtual")

    def write_calibration_cache(self, cache):
        raise NotImplementedError("pure virtual")

    def get_algorithm(self):
        raise NotImplementedError("pure virtual")


class _HostMemory(object):
    def _setup(self):
        pass


def _assemble():
    classes = _SURFACE["classes"]
    for name in ("BuilderFlag", "DataType", "MemoryPoolType", "NetworkDefinitionCreationFlag",
                 "TensorIOMode"):
        if name in classes:
            _PUBLIC[name] = _enum_class(name, classes[name]["enum"])
    severity = _enum_class("ILogger.Severity", classes["ILogger.Severity"]["enum"])
    _SEVERITY.update(severity.__members__)
    exported = dict(severity.__members__, Severity=severity)
    implementations = (
        ("ILogger", _ILogger), ("Logger", _Logger), ("Builder", _Builder),
        ("IBuilderConfig", _BuilderConfig), ("INetworkDefinition", _Network),
        ("ParserError", _ParserError), ("OnnxParser", _OnnxParser), ("Runtime", _Runtime),
        ("ICudaEngine", _CudaEngine), ("IExecutionContext", _ExecutionContext),
        ("IInt8Calibrator", _Calibrator), ("IInt8EntropyCalibrator2", _Calibrator),
        ("IHostMemory", _HostMemory))
    for name, impl in implementations:
        if name not in classes:
            continue
        bases = tuple(_PUBLIC[b] for b in classes[name].get("bases", []) if b in _PUBLIC)
        if name == "IHostMemory":
            bases = (_Surfaced, bytearray)  # readable through the buffer protocol, like the real
        _PUBLIC[name] = _public_class(name, impl, classes[name], bases=bases,
                                     extra=exported if "Logger" in name else None)
    for name in _SURFACE["module"]:
        if name in _PUBLIC:
            globals()[name] = _PUBLIC[name]
    if "nptype" not in _SURFACE["module"]:
        del globals()["nptype"]


_assemble()
_NAMES = frozenset(name for name in _SURFACE["module"] if name != "__version__")


class _RecordingModule(_types.ModuleType):
    def __getattribute__(self, name):
        value = _types.ModuleType.__getattribute__(self, name)
        if name in _NAMES:
            _record("tensorrt", name)
        return value


_sys.modules[__name__].__class__ = _RecordingModule

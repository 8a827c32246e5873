"""What the toolkit needs from an ONNX file, read without the ``onnx`` package. Stdlib only.

A Jetson (JetPack 5/6 images, the native install) has TensorRT, numpy and OpenCV but rarely
``onnx`` or ONNX Runtime, yet engine building must read the model spec and input shape first.
These facts sit at fixed protobuf field numbers of ``onnx.proto``, so a small wire-format walker
reads them: ModelProto.opset_import = 8 (domain 1, version 2), .graph = 7, .metadata_props = 14
(key 1, value 2); GraphProto.node = 1, .initializer = 5, .input = 11, .output = 12;
NodeProto.op_type = 4; TensorProto.data_type = 2, .name = 8; ValueInfoProto.name = 1, .type = 2;
TypeProto.tensor_type = 1 (elem_type 1, shape 2); TensorShapeProto.dim = 1 (dim_value 1,
dim_param 2). Subgraphs (If/Loop bodies) are not visited.
"""

import os

from .errors import ModelFileError, SpecError

__all__ = ["OnnxInfo", "OnnxTensor", "read_onnx_info", "read_onnx_spec", "precision_of",
           "ONNX_SPEC_KEY", "ONNX_DTYPES"]

#: The ``metadata_props`` key that holds ``spec.to_json()`` in every exported model.
ONNX_SPEC_KEY = "linknet_edge.spec"

#: TensorProto.DataType value -> name (the ones a LinkNet graph can hold).
ONNX_DTYPES = {1: "float32", 2: "uint8", 3: "int8", 6: "int32", 7: "int64", 9: "bool",
               10: "float16", 11: "float64", 16: "bfloat16"}
_FLOAT, _FLOAT16, _DOUBLE, _BFLOAT16 = 1, 10, 11, 16
_QUANTIZE_OPS = ("QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul")


def _varint(data, pos):
    result, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _signed(value):
    """An int64 varint as Python int (negative dims are written as 10-byte two's complement)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _fields(data):
    """Yield (field number, wire type, value) of one message; value is an int or a memoryview."""
    pos, end = 0, len(data)
    while pos < end:
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError("unsupported protobuf wire type {}".format(wire))
        if pos > end:
            raise ValueError("truncated protobuf message")
        yield number, wire, value


def _first(data, number, default=None):
    for field, _, value in _fields(data):
        if field == number:
            return value
    return default


def _text(value):
    return "" if value is None else bytes(value).decode("utf-8", "replace")


class OnnxTensor(object):
    """A graph input or output: ``name``, ``dtype`` (e.g. "float32", "uint8"), ``shape`` (ints;
    -1 where dynamic or named)."""

    def __init__(self, name, dtype, shape):
        self.name, self.dtype, self.shape = name, dtype, [int(d) for d in shape]

    def __repr__(self):
        return "OnnxTensor({!r}, {}, {})".format(self.name, self.dtype, self.shape)


def _tensor_info(value_info):
    name, elem_type, shape = "", 0, []
    for field, _, value in _fields(value_info):
        if field == 1:
            name = _text(value)
        elif field == 2:
            tensor = _first(value, 1)
            if tensor is None:
                continue
            elem_type = _first(tensor, 1, 0)
            dims = _first(tensor, 2)
            for number, _, dim in _fields(dims) if dims is not None else ():
                if number == 1:
                    dim_value = _first(dim, 1)
                    shape.append(-1 if dim_value is None else _signed(dim_value))
    return OnnxTensor(name, ONNX_DTYPES.get(elem_type, "type{}".format(elem_type)), shape)


class OnnxInfo(object):
    """``metadata`` (dict), ``opset`` (default domain), ``inputs``/``outputs`` (``OnnxTensor``;
    inputs exclude initializers), ``op_types`` (set), ``initializer_types`` (ONNX dtype ints)."""

    def __init__(self, path, metadata, opset, inputs, outputs, op_types, initializer_types):
        self.path = path
        self.metadata = metadata
        self.opset = opset
        self.inputs = inputs
        self.outputs = outputs
        self.op_types = op_types
        self.initializer_types = initializer_types

    @property
    def input(self):
        """The network input (the first graph input that is not a weight)."""
        return self.inputs[0]

    def output(self, name):
        """The output called ``name``, or None."""
        return next((o for o in self.outputs if o.name == name), None)

    @property
    def spec(self):
        """The ``ModelSpec`` stored by ``linknet-edge export``; ``SpecError`` without one."""
        from .spec import ModelSpec
        text = self.metadata.get(ONNX_SPEC_KEY)
        if not text:
            raise SpecError("{}: no '{}' metadata, so its classes and normalisation are unknown; "
                            "export the model with `linknet-edge export`".format(
                                self.path, ONNX_SPEC_KEY))
        return ModelSpec.from_json(text, source=self.path)

    @property
    def precision(self):
        return precision_of(self.op_types, self.initializer_types)


def _parse(data, path):
    model = memoryview(data)
    metadata, opset, graph = {}, 0, None
    for field, wire, value in _fields(model):
        if field == 7 and wire == 2:
            graph = value
        elif field == 14 and wire == 2:
            metadata[_text(_first(value, 1))] = _text(_first(value, 2))
        elif field == 8 and wire == 2:
            if _text(_first(value, 1)) in ("", "ai.onnx"):
                opset = int(_first(value, 2, 0))
    if graph is None:
        raise ValueError("no graph in the model")
    op_types, initializer_types, weights, inputs, outputs = set(), [], set(), [], []
    for field, wire, value in _fields(graph):
        if wire != 2:
            continue
        if field == 1:
            op_type = _first(value, 4)
            if op_type is not None:
                op_types.add(_text(op_type))
        elif field == 5:
            initializer_types.append(_first(value, 2, 0))
            weights.add(_text(_first(value, 8)))
        elif field == 11:
            inputs.append(_tensor_info(value))
        elif field == 12:
            outputs.append(_tensor_info(value))
    inputs = [i for i in inputs if i.name not in weights]
    if not inputs:
        raise ValueError("the graph has no input")
    return OnnxInfo(path, metadata, opset, inputs, outputs, op_types, initializer_types)


def read_onnx_info(path):
    """``OnnxInfo`` of an ONNX file; ``ModelFileError`` naming the file if it is missing,
    unreadable or not an ONNX model."""
    path = str(path)
    if not os.path.isfile(path):
        raise ModelFileError("{}: no such ONNX file".format(path))
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except (IOError, OSError) as exc:
        raise ModelFileError("{}: cannot read the ONNX file ({})".format(
            path, exc.strerror or exc))
    try:
        return _parse(data, path)
    except (ValueError, IndexError) as exc:
        raise ModelFileError("{}: not a readable ONNX model ({})".format(path, exc))


def read_onnx_spec(path):
    """The ``ModelSpec`` stored in an ONNX file written by ``linknet-edge export``."""
    return read_onnx_info(path).spec


def precision_of(op_types, initializer_types):
    """"int8" with quantize nodes, "fp16" if most float initializers are float16, else "fp32"."""
    if any(op in op_types for op in _QUANTIZE_OPS):
        return "int8"
    half = sum(1 for t in initializer_types if t in (_FLOAT16, _BFLOAT16))
    full = sum(1 for t in initializer_types if t in (_FLOAT, _DOUBLE))
    return "fp16" if half > full else "fp32"

"""Read what the runtime needs from an ONNX file without the ``onnx`` package.

A Jetson has ONNX Runtime or TensorRT but often not ``onnx``; the few facts we need (initializer
data types, node op types) sit at fixed protobuf field numbers of ``onnx.proto``, so a small
wire-format walker reads them: ModelProto.graph = 7; GraphProto.node = 1, .initializer = 5;
NodeProto.op_type = 4; TensorProto.data_type = 2. Subgraphs (If/Loop bodies) are not visited.
"""

__all__ = ["graph_summary", "precision_of"]

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


def graph_summary(data):
    """``{"op_types": set, "initializer_types": list of ONNX data type ints}`` of a model."""
    graph = _first(memoryview(data), 7)
    if graph is None:
        raise ValueError("no graph in the model")
    op_types, initializer_types = set(), []
    for field, wire, value in _fields(graph):
        if field == 1 and wire == 2:
            op_type = _first(value, 4)
            if op_type is not None:
                op_types.add(bytes(op_type).decode("utf-8", "replace"))
        elif field == 5 and wire == 2:
            initializer_types.append(_first(value, 2, 0))
    return {"op_types": op_types, "initializer_types": initializer_types}


def precision_of(summary):
    """"int8" with quantize nodes, "fp16" if most float initializers are float16, else "fp32"."""
    if any(op in summary["op_types"] for op in _QUANTIZE_OPS):
        return "int8"
    types = summary["initializer_types"]
    half = sum(1 for t in types if t in (_FLOAT16, _BFLOAT16))
    full = sum(1 for t in types if t in (_FLOAT, _DOUBLE))
    return "fp16" if half > full else "fp32"

"""The network input's form as graph ops in front of the stem, and conversion between forms.

A ``uint8`` file takes the camera's image: ``input`` (N, H, W, 3) uint8 BGR, then
Cast -> Transpose (NHWC -> NCHW) -> Gather (BGR -> the spec's channel order) -> Sub(255 mean) ->
Mul(1 / (255 std)), the host's own arithmetic (``preprocessing.to_network_input``) in the same
order, so both agree to the last bit on ONNX Runtime. A ``raw`` file takes (N, 3, H, W) float32
RGB 0-255 (DeepStream's nvinfer and Triton clients feed that; per-channel std is exact only in
the graph) and has the same ops less Cast and Transpose. The stem reads ``NORMALIZED``. The
stage's nodes are named ``input_stage/...``, so ``set_input_form`` can take a stage out again
and put another in (e.g. ``raw`` for TensorRT before 8.5, which has no uint8 tensors). onnx only.
"""

import numpy as np

from linknet_edge.errors import ExportError
from linknet_edge.spec import INPUT_FORMS

__all__ = ["set_input_form", "convert_input_form", "NORMALIZED", "STAGE_PREFIX"]

#: the normalised NCHW float tensor the stem convolution reads in a uint8 or raw file
NORMALIZED = "normalized"
STAGE_PREFIX = "input_stage/"


def _input(graph):
    initializers = {t.name for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in initializers]
    if len(inputs) != 1:
        raise ExportError("expected one graph input, found {}".format([i.name for i in inputs]))
    return inputs[0]


def _strip(graph):
    """Remove an input stage; the stem's input becomes the graph input again (same name)."""
    stage = [n for n in graph.node if n.name.startswith(STAGE_PREFIX)]
    if not stage:
        return
    graph_input = _input(graph)
    used = set()
    for node in stage:
        used.update(node.input)
        graph.node.remove(node)
    for tensor in [t for t in graph.initializer if t.name in used]:
        graph.initializer.remove(tensor)
    for node in graph.node:
        for k, name in enumerate(node.input):
            if name == NORMALIZED:
                node.input[k] = graph_input.name
    # the graph input goes back to what the stem reads: float32 NCHW
    _set_type(graph_input, "float", _nchw_dims(graph_input))


def _dims(value_info):
    """The input's dims as (value or None, param or None) pairs."""
    return [(d.dim_value if d.HasField("dim_value") else None,
             d.dim_param if d.HasField("dim_param") else None)
            for d in value_info.type.tensor_type.shape.dim]


def _nchw_dims(value_info):
    """The dims in NCHW order (a uint8 input, the only NHWC form, is reordered)."""
    from onnx import TensorProto
    dims = _dims(value_info)
    if value_info.type.tensor_type.elem_type == TensorProto.UINT8:
        return [dims[0], dims[3], dims[1], dims[2]]
    return dims


def _set_type(value_info, form, nchw):
    """Give the graph input ``form``'s dtype and layout; ``nchw``: its dims in NCHW order."""
    from onnx import TensorProto
    tensor = value_info.type.tensor_type
    tensor.elem_type = TensorProto.UINT8 if form == "uint8" else TensorProto.FLOAT
    dims = [nchw[0], nchw[2], nchw[3], nchw[1]] if INPUT_FORMS[form]["layout"] == "NHWC" \
        else nchw
    tensor.shape.ClearField("dim")
    for value, param in dims:
        dim = tensor.shape.dim.add()
        if param:
            dim.dim_param = param
        else:
            dim.dim_value = value


def _stage_nodes(input_name, spec, form):
    """(nodes, initializers) turning the ``form`` tensor ``input_name`` into ``NORMALIZED``."""
    from onnx import TensorProto, helper, numpy_helper
    nodes, tensors = [], []

    def add(op, inputs, output=None, **attrs):
        name = STAGE_PREFIX + op
        source = nodes[-1].output[0] if nodes else input_name
        nodes.append(helper.make_node(op, [source] + inputs, [output or name], name=name,
                                      **attrs))

    def const(label, values):
        name = STAGE_PREFIX + label
        tensors.append(numpy_helper.from_array(np.asarray(values), name))
        return name

    if form == "uint8":
        add("Cast", [], to=TensorProto.FLOAT)  # TensorRT takes uint8 only straight into a Cast
        add("Transpose", [], perm=[0, 3, 1, 2])
    if INPUT_FORMS[form]["channels"] != spec.channel_order:
        add("Gather", [const("channel_order", np.array([2, 1, 0], np.int64))], axis=1)
    # float32 constants computed as the host computes them (preprocessing._normalize_into)
    mean = np.float32(255.0) * np.asarray(spec.mean, np.float32)
    scale = np.float32(1.0) / (np.asarray(spec.std, np.float32) * np.float32(255.0))
    add("Sub", [const("mean", mean.reshape(1, 3, 1, 1))])
    add("Mul", [const("scale", scale.reshape(1, 3, 1, 1))], output=NORMALIZED)
    return nodes, tensors


def set_input_form(model, spec, form):
    """Give ``model`` (an onnx ModelProto from ``export_onnx``; changed in place) the input
    ``form``; returns the spec with ``input_form`` set. The graph input keeps its name."""
    if form not in INPUT_FORMS:
        raise ExportError("unknown input form {!r}; choose from {}".format(
            form, ", ".join(sorted(INPUT_FORMS))))
    graph = model.graph
    _strip(graph)
    graph_input = _input(graph)
    if form != "float":
        nodes, tensors = _stage_nodes(graph_input.name, spec, form)
        for node in graph.node:
            for k, name in enumerate(node.input):
                if name == graph_input.name:
                    node.input[k] = NORMALIZED
        for node in reversed(nodes):
            graph.node.insert(0, node)
        graph.initializer.extend(tensors)
        _set_type(graph_input, form, _dims(graph_input))
    return spec.replace(input_form=form)


def convert_input_form(onnx_path, out_path, form):
    """Write ``onnx_path`` with input ``form`` to ``out_path`` (atomically), spec updated;
    returns ``out_path``."""
    import onnx
    from linknet_edge.atomic import atomic_path
    from linknet_edge.onnx_file import ONNX_SPEC_KEY, read_onnx_spec
    spec = read_onnx_spec(onnx_path)
    model = onnx.load(str(onnx_path))
    spec = set_input_form(model, spec, form)
    for entry in model.metadata_props:
        if entry.key == ONNX_SPEC_KEY:
            entry.value = spec.to_json()
    with atomic_path(out_path) as tmp:
        onnx.save(model, tmp)
    return out_path

"""Make nvinfer's one-scale normalisation exact by folding the per-channel std into the stem.

nvinfer feeds ``k * (x - 255 * mean[c])`` with one ``k = 1 / (255 * s)``; the network wants
``(x / 255 - mean[c]) / std[c]``, that is nvinfer's value times ``s / std[c]``. The first
convolution is linear in its input channels, so multiplying its weights for input channel ``c``
by ``s / std[c]`` gives exactly the original network on nvinfer's input (zero padding stays
zero). The copy's spec says ``std = (s, s, s)``, so the toolkit's own runtime feeds it right too.
Needs the ``onnx`` package; a graph whose input does not go straight (through Casts at most) into
one ungrouped Conv with constant weights is left alone, and the reason returned.
"""

import numpy as np

from linknet_edge.atomic import atomic_path
from linknet_edge.onnx_file import ONNX_SPEC_KEY

__all__ = ["fold_std_into_stem"]


def _stem(graph, name):
    """The Conv node the input reaches through single-consumer Casts, or a reason string."""
    while True:
        users = [node for node in graph.node if name in node.input]
        if len(users) != 1:
            return "the input feeds {} nodes, not one convolution".format(len(users))
        node = users[0]
        if node.op_type == "Cast":
            name = node.output[0]
            continue
        if node.op_type != "Conv" or node.input[0] != name:
            return "the input goes into {}, not a convolution".format(node.op_type)
        if any(a.name == "group" and a.i != 1 for a in node.attribute):
            return "the stem convolution is grouped"
        return node


def fold_std_into_stem(onnx_path, output_path, spec):
    """Write ``output_path``: ``onnx_path`` with its stem weights scaled per input channel by
    ``mean(std) / std[c]`` and the spec's std set to ``mean(std)``. Returns ``(True, new
    spec)``, or ``(False, reason)`` when the graph cannot be folded (nothing written)."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        return False, "the onnx package is not installed"
    model = onnx.load(str(onnx_path))
    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    inputs = [i.name for i in graph.input if i.name not in weights]
    stem = _stem(graph, inputs[0])
    if isinstance(stem, str):
        return False, stem
    weight = weights.get(stem.input[1])
    if weight is None:
        return False, "the stem convolution's weights are not a constant"
    if sum(1 for node in graph.node for name in node.input if name == weight.name) != 1:
        return False, "the stem weights are shared with other nodes"
    array = numpy_helper.to_array(weight)
    if array.ndim != 4 or array.shape[1] != 3:
        return False, "the stem convolution does not take 3 channels"
    std = np.asarray(spec.std, dtype=np.float64)
    common = float(std.mean())
    factor = (common / std).reshape(1, 3, 1, 1)
    weight.CopyFrom(numpy_helper.from_array((array.astype(np.float64) * factor).astype(
        array.dtype), weight.name))
    folded = spec.replace(std=[common] * 3)
    for entry in model.metadata_props:
        if entry.key == ONNX_SPEC_KEY:
            entry.value = folded.to_json()
    with atomic_path(str(output_path)) as tmp:
        onnx.save(model, tmp)
    return True, folded

"""A tiny real ONNX segmentation model (Conv -> logits, ArgMax -> int32 classes) with a spec."""

import numpy as np

__all__ = ["tiny_spec", "write_tiny_onnx"]


def tiny_spec(classes=4, size=(64, 64)):
    from linknet_edge.spec import ModelSpec
    return ModelSpec(arch="linknet", class_names=["c{}".format(i) for i in range(classes)],
                     input_size=size)


def write_tiny_onnx(path, classes=4, size=(64, 64), seed=0, with_classes=True,
                    unsupported_ops=(), with_spec=True, batch=1):
    """Write the model to ``path``; ``unsupported_ops`` adds dangling nodes of those op types;
    ``batch`` may be a name (e.g. "N") for a dynamic batch dimension."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.RandomState(seed)
    height, width = size
    weights = [numpy_helper.from_array((rng.randn(classes, 3, 3, 3) * 0.5).astype(np.float32), "w"),
               numpy_helper.from_array((rng.randn(classes) * 0.1).astype(np.float32), "b")]
    nodes = [helper.make_node("Conv", ["input", "w", "b"], ["logits"], name="head",
                              pads=[1, 1, 1, 1])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                             [1, classes, height, width])]
    for index, op in enumerate(unsupported_ops):
        nodes.append(helper.make_node(op, ["logits"], ["extra{}".format(index)],
                                      name="extra_{}".format(op.lower())))
    if with_classes:
        nodes += [helper.make_node("ArgMax", ["logits"], ["argmax"], axis=1, keepdims=0),
                  helper.make_node("Cast", ["argmax"], ["classes"], to=TensorProto.INT32)]
        outputs.append(helper.make_tensor_value_info("classes", TensorProto.INT32,
                                                     [1, height, width]))
    graph = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info(
        "input", TensorProto.FLOAT, [batch, 3, height, width])], outputs, initializer=weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    if with_spec:
        entry = model.metadata_props.add()
        entry.key, entry.value = "linknet_edge.spec", tiny_spec(classes, size).to_json()
    onnx.save(model, str(path))
    return str(path)

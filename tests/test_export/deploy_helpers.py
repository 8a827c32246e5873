"""Model files for the deploy tests: an engine stand-in (no TensorRT here: a plan's bytes with
the sidecar ``linknet-edge build`` writes), and real ONNX files in forms export does not make."""

import os

from linknet_edge.onnx_file import read_onnx_info
from linknet_edge.runtime.backends.tensorrt.sidecar import SIDECAR_KEYS, io_record, write_sidecar


def write_engine_stand_in(directory, onnx_path, precision="fp16", name="linknet.engine",
                          with_io=True):
    """``directory/name``: stand-in plan bytes and the sidecar ``build`` writes for it (the
    I/O record taken from the real ONNX file it would have been built from)."""
    info = read_onnx_info(onnx_path)
    path = os.path.join(str(directory), name)
    with open(path, "wb") as handle:
        handle.write(b"stand-in plan: TensorRT is not installed here")
    sidecar = {"spec": info.spec.to_dict(), "tensorrt_version": "8.6.1",
               "gpu_name": "Orin", "compute_capability": "8.7", "precision": precision,
               "input_shape": info.input.shape, "workspace_mib": 1024,
               "onnx_sha256": "0" * 64, "calibration_sha256": None}
    assert set(sidecar) == set(SIDECAR_KEYS)
    if with_io:
        sidecar["io"] = io_record(info)
    write_sidecar(path, sidecar)
    return path


def _save(graph, spec, path):
    """The graph as an opset-13 model with ``spec`` in its metadata, at ``path``."""
    import onnx
    from onnx import helper
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    entry = model.metadata_props.add()
    entry.key, entry.value = "linknet_edge.spec", spec.to_json()
    onnx.save(model, str(path))
    return str(path)


def write_classes_first_onnx(source, path):
    """``source`` with its graph outputs reordered so ``classes`` (int32) comes first."""
    import onnx
    model = onnx.load(str(source))
    outputs = list(model.graph.output)
    del model.graph.output[:]
    model.graph.output.extend(sorted(outputs, key=lambda o: o.name != "classes"))
    onnx.save(model, str(path))
    return str(path)


def write_scaled_input_onnx(path, spec):
    """A real float-input ONNX model whose input goes through a Mul before the convolution
    (a graph the std cannot be folded into)."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper
    height, width = spec.input_size
    weights = [numpy_helper.from_array(np.ones((spec.num_classes, 3, 1, 1), np.float32), "w"),
               numpy_helper.from_array(np.ones((1,), np.float32), "one")]
    nodes = [helper.make_node("Mul", ["input", "one"], ["scaled"]),
             helper.make_node("Conv", ["scaled", "w"], ["logits"])]
    graph = helper.make_graph(
        nodes, "scaled_input",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, height, width])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                       [1, spec.num_classes, height, width])],
        initializer=weights)
    return _save(graph, spec, path)

"""verify_onnx against PyTorch on real CamVid frames, and the TensorRT 8.2 compatibility report."""

import numpy as np
import pytest

from tests.markers import (data_path, requires_data, requires_onnx, requires_onnxruntime,
                           requires_torch)

pytestmark = [requires_torch, requires_onnx, requires_onnxruntime]


@requires_data
def test_onnxruntime_agrees_with_pytorch_on_real_frames(onnx_path, tiny_checkpoint):
    from linknet_edge.export.verify import verify_onnx
    report = verify_onnx(onnx_path, tiny_checkpoint, images=data_path("camvid", "val"), count=4)
    assert report.passed, report.format()
    assert report.agreement.pixel_agreement >= 0.9999
    assert report.agreement.pixels == 4 * 64 * 64
    assert report.classes_agreement == 1.0
    assert report.agreement.logit_range > 1.0  # real BN statistics: logits are not all alike
    assert "camvid" in report.images and "TensorRT 8.2" in report.format()


def test_default_images_are_synthetic_and_said_so(onnx_path, tiny_checkpoint):
    from linknet_edge.export.verify import verify_onnx
    report = verify_onnx(onnx_path, tiny_checkpoint, count=2)
    assert report.passed and "synthetic" in report.images


def test_a_tampered_weight_fails_verification(onnx_path, tiny_checkpoint, tmp_path):
    import onnx
    from onnx import numpy_helper
    from linknet_edge.export.verify import verify_onnx
    model = onnx.load(onnx_path)
    weights = [t for t in model.graph.initializer if t.name.endswith("head.tp_conv2.weight")][0]
    weights.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(weights) * 1.5, weights.name))
    path = str(tmp_path / "tampered.onnx")
    onnx.save(model, path)
    report = verify_onnx(path, tiny_checkpoint, count=2)
    assert not report.passed
    assert "max logit error" in report.summary() and "FAILED" in report.summary()
    assert "\n" not in report.summary()


def _graph(nodes, opset=13, initializers=()):
    from onnx import TensorProto, helper
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _weights(name="w"):
    from onnx import numpy_helper
    return numpy_helper.from_array(np.ones((4, 4, 3, 3), np.float32), name)


@pytest.mark.parametrize("pads, level", [([1, 1, 1, 1], None), ([0, 1, 1, 0], "warning")])
def test_conv_transpose_pads(pads, level):
    from onnx import helper
    from linknet_edge.export.compat import check_tensorrt_compat
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], kernel_shape=[3, 3], pads=pads,
                            strides=[2, 2], output_padding=[1, 1])
    report = check_tensorrt_compat(_graph([node], initializers=[_weights()]))
    assert report.passed
    assert [f.level for f in report.findings] == ([level] if level else [])


def test_unsupported_ops_newer_opsets_and_custom_domains_fail():
    from onnx import helper
    from linknet_edge.export.compat import check_tensorrt_compat
    nodes = [helper.make_node("NonZero", ["x"], ["n"]),
             helper.make_node("Plugin", ["x"], ["p"], domain="com.example"),
             helper.make_node("Conv", ["x", "dynamic_w"], ["y"])]
    report = check_tensorrt_compat(_graph(nodes, opset=14))
    assert not report.passed
    messages = " | ".join(f.message for f in report.errors)
    for text in ("opset 14", "not supported by the TensorRT 8.2", "plugin", "computed at run time"):
        assert text in messages


def test_nonzero_quantization_zero_point_fails():
    from onnx import helper, numpy_helper
    from linknet_edge.export.compat import check_tensorrt_compat
    scale = numpy_helper.from_array(np.array(0.1, np.float32), "s")
    zero = numpy_helper.from_array(np.array(3, np.int8), "z")
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"]),
             helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"])]
    report = check_tensorrt_compat(_graph(nodes, initializers=[scale, zero]))
    assert [f.op for f in report.errors] == ["QuantizeLinear", "DequantizeLinear"]

"""FP16 and INT8 ONNX files: they run on ONNX Runtime and report their agreement with FP32."""

import numpy as np
import pytest

from tests.conftest import make_tiny_checkpoint
from tests.markers import (data_path, requires_data, requires_onnx, requires_onnxruntime,
                           requires_torch, slow)

pytestmark = [requires_torch, requires_onnx, requires_onnxruntime]


def _op_types(path):
    import onnx
    return {node.op_type for node in onnx.load(path).graph.node}


def test_fp16_runs_keeps_float32_io_and_metadata(onnx_path, tmp_path):
    pytest.importorskip("onnxconverter_common")
    import onnx
    from linknet_edge.onnx_file import read_onnx_spec
    from linknet_edge.export.precision import convert_precision
    out = str(tmp_path / "fp16.onnx")
    report = convert_precision(onnx_path, out, "fp16", count=2)
    model = onnx.load(out)
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert {t.data_type for t in model.graph.initializer if t.name.endswith("weight")} == {
        onnx.TensorProto.FLOAT16}
    assert read_onnx_spec(out) == read_onnx_spec(onnx_path)
    assert report.agreement.nonfinite == 0
    assert report.agreement.pixel_agreement >= 0.99, report.format()
    assert report.agreement.max_abs_error > 0  # really computed in lower precision


def test_fp16_overflow_is_reported(onnx_path, tmp_path):
    pytest.importorskip("onnxconverter_common")
    import onnx
    from onnx import numpy_helper
    from linknet_edge.export.precision import convert_precision
    model = onnx.load(onnx_path)
    # Both head deconvolution weights x1000 (far below the converter's 1e4 weight clamp; the BN
    # between them keeps its statistics): the logits pass FP16's largest value, 65504.
    for tensor in model.graph.initializer:
        if tensor.name.endswith(("head.tp_conv1.0.weight", "head.tp_conv2.weight")):
            tensor.CopyFrom(numpy_helper.from_array(
                numpy_helper.to_array(tensor) * 1000, tensor.name))
    big = str(tmp_path / "big.onnx")
    onnx.save(model, big)
    report = convert_precision(big, str(tmp_path / "big16.onnx"), "fp16", count=1)
    # ONNX Runtime's CPU provider runs these ops in FP32, so the logits may stay finite there;
    # the FP32 activation peaks name the tensor that overflows an FP16 engine.
    assert "logits" in report.overflow
    assert "overflow" in report.summary() and "OVERFLOW" in report.format()
    assert not report.passed


@requires_data
def test_int8_is_symmetric_qdq_and_reports_agreement(onnx_path, tmp_path):
    from linknet_edge.export.compat import check_tensorrt_compat
    from linknet_edge.export.precision import convert_precision
    out = str(tmp_path / "int8.onnx")
    report = convert_precision(onnx_path, out, "int8", calib=data_path("camvid", "train"),
                               calib_count=8, images=data_path("camvid", "val"), count=2)
    assert {"QuantizeLinear", "DequantizeLinear"} <= _op_types(out)
    assert check_tensorrt_compat(out).passed  # every zero point is 0, as TensorRT requires
    assert 0.5 < report.agreement.pixel_agreement < 1.0, report.format()
    assert "INT8" in report.format() and "camvid" in report.images


@slow
@requires_data
def test_int8_miou_change_on_a_labelled_split(tmp_path):
    from linknet_edge.export.onnx import export_onnx
    from linknet_edge.export.precision import convert_precision
    checkpoint = make_tiny_checkpoint(tmp_path, classes=11)
    fp32 = str(tmp_path / "fp32.onnx")
    export_onnx(checkpoint, fp32, verify=False)
    report = convert_precision(fp32, str(tmp_path / "int8.onnx"), "int8",
                               calib=data_path("camvid", "train"), calib_count=4,
                               labelled=("camvid", data_path("camvid"), "val"), limit=3)
    assert report.miou is not None and all(0.0 <= v <= 1.0 for v in report.miou)
    assert "mIoU FP32 -> INT8" in report.format()


@requires_data
def test_labelled_split_with_other_classes_is_refused(onnx_path, tmp_path):
    from linknet_edge.export.precision import compare_precision
    from linknet_edge.errors import SpecMismatch
    with pytest.raises(SpecMismatch, match="11 classes"):
        compare_precision(onnx_path, onnx_path, "fp32", count=1,
                          labelled=("camvid", data_path("camvid"), "val"))


def test_int8_without_calibration_images_is_refused(onnx_path, tmp_path):
    from linknet_edge.export.precision import convert_precision
    from linknet_edge.errors import ExportError
    with pytest.raises(ExportError, match="calibration images"):
        convert_precision(onnx_path, str(tmp_path / "x.onnx"), "int8")
    assert np.array_equal(sorted(tmp_path.iterdir()), [])


def test_compare_logits_counts_inf_and_nan_as_overflow():
    from linknet_edge.export.agreement import compare_logits
    reference = np.zeros((1, 2, 2, 2), np.float32)
    reference[:, 1] = 1.0
    candidate = reference.copy()
    candidate[0, 0, 0, 0] = np.inf
    candidate[0, 1, 1, 1] = np.nan
    agreement = compare_logits(reference, candidate)
    assert agreement.nonfinite == 2
    assert agreement.pixel_agreement == 0.5  # pixels with an inf/NaN logit disagree
    assert agreement.max_abs_error == 0.0 and "OVERFLOW" in agreement.rows()[3][1]


@requires_data
@pytest.mark.parametrize("method", ["minmax", "entropy"])
def test_int8_cpu_form_is_u8s8_qoperator_with_the_stem_and_maxpool_float(
        onnx_uint8_path, tmp_path, method):
    """``--target cpu``: QLinearConv/QLinearAdd, uint8 activations; the uint8 input stage, the
    stem convolution and the MaxPool (with the Adds reading it) float; TensorRT refuses it."""
    import onnx
    from linknet_edge.export.precision import convert_precision
    from linknet_edge.onnx_file import read_onnx_info
    out = str(tmp_path / "int8_cpu.onnx")
    report = convert_precision(onnx_uint8_path, out, "int8", calib=data_path("camvid", "train"),
                               calib_count=8, images=data_path("camvid", "val"), count=2,
                               target="cpu", calibration=method)
    graph = onnx.load(out).graph
    ops = [n.op_type for n in graph.node]
    assert "QLinearConv" in ops and "QLinearAdd" in ops and "MaxPool" in ops
    assert ops[:5] == ["Cast", "Transpose", "Gather", "Sub", "Mul"]  # the stage, float
    assert ops[5] == "Conv" and ops.count("Conv") == 1  # the stem reads the image in float
    producers = {o: n for n in graph.node for o in n.output}
    pool = [n for n in graph.node if n.op_type == "MaxPool"][0]
    assert producers[pool.input[0]].op_type == "Relu"  # float in, float out: no uint8 MaxPool
    quantized = [v for v in graph.value_info if v.name == pool.output[0]]
    assert not quantized or quantized[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    info = read_onnx_info(out)
    assert info.precision == "int8" and info.spec.input_form == "uint8"
    assert info.metadata["linknet_edge.int8_target"] == "cpu"
    assert report.agreement.pixel_agreement > 0.5 and "CPUs: ONNX Runtime U8S8" in \
        report.format()


def test_int8_target_and_method_are_checked_before_work(onnx_path, tmp_path):
    from linknet_edge.errors import ExportError
    from linknet_edge.export.quantize import quantize_int8
    with pytest.raises(ExportError, match="INT8 target 'gpu': choose from cpu, tensorrt"):
        quantize_int8(onnx_path, str(tmp_path / "x.onnx"), "calib", target="gpu")
    with pytest.raises(ExportError, match="calibration method 'kl'"):
        quantize_int8(onnx_path, str(tmp_path / "x.onnx"), "calib", method="kl")
    assert not list(tmp_path.iterdir())


@requires_data
def test_quantize_cli_takes_target_and_calibration(onnx_path, tmp_path, capsys):
    from linknet_edge.cli import main
    from linknet_edge.onnx_file import read_onnx_info
    out = str(tmp_path / "cpu.onnx")
    assert main(["quantize", onnx_path, "--precision", "int8", "--target", "cpu",
                 "--calibration", "percentile", "-o", out, "--calib",
                 data_path("camvid", "train"), "--calib-count", "4", "--count", "1"]) == 0
    assert "QLinearConv" in read_onnx_info(out).op_types
    assert "INT8 for CPUs" in capsys.readouterr().out

"""How an engine gets its precision (export.build_route), on the TensorRT STAND-IN flavours:
builder flags up to 10.x; strongly typed on 11.x (no FP16/INT8 flags, no calibrators) from an
FP16 ONNX (real ``convert_fp16``) or a Q/DQ ONNX (real ``quantize_int8`` on CamVid frames), with
the real tiny LinkNet export of tests/conftest.py."""

import json
import logging
import os
import shutil
import sys

import pytest

from linknet_edge.errors import EngineBuildError, SpecMismatch
from linknet_edge.onnx_file import read_onnx_info
from tests.markers import data_path, requires_onnxruntime
from tests.stand_ins import FLAVOURS, stand_in  # noqa: F401 (fixture)
from tests.stand_ins.surfaced import USED

ORIN = ("NVIDIA Jetson AGX Orin", "8.7")
pytest.importorskip("onnx")


@pytest.fixture
def linknet_onnx(tmp_path, onnx_path):
    """The tiny real LinkNet export, copied so converted siblings land in this test's folder."""
    return shutil.copy(onnx_path, str(tmp_path / "linknet.onnx"))


@pytest.fixture
def camvid_images(tmp_path):
    images = data_path("camvid", "val")
    if not os.path.isdir(images):
        pytest.skip("real data not found at ../shared/data")
    folder = tmp_path / "calib"
    folder.mkdir()
    for name in sorted(os.listdir(images))[:4]:
        shutil.copy(os.path.join(images, name), str(folder))
    return str(folder)


def _build(onnx_path, **options):
    from linknet_edge.export.tensorrt import build_engine
    return build_engine(onnx_path, **options)


def _header(trt):
    return json.loads(bytes(trt._PLANS[-1]).split(b"\n")[1].decode())


def _sidecar(engine):
    with open(engine + ".json") as handle:
        return json.load(handle)


def test_fp16_on_11_builds_the_fp16_onnx_strongly_typed_stand_in(stand_in, linknet_onnx,
                                                                caplog):
    trt, _ = stand_in(FLAVOURS["11.4"], *ORIN, cuda="cuda-python")
    caplog.set_level(logging.INFO)
    engine = _build(linknet_onnx)  # fp16 is the default precision
    sibling = linknet_onnx[:-5] + ".fp16.onnx"
    assert read_onnx_info(sibling).precision == "fp16"
    assert read_onnx_info(sibling).input.dtype == "float32"  # float32 I/O kept
    header = _header(trt)
    assert header["strongly_typed"] and header["fp16_onnx"] and header["flags"] == []
    assert ("Builder.create_network", 1) in trt._CALLS  # 1 << STRONGLY_TYPED (0 in 11.x)
    sidecar = _sidecar(engine)
    assert sidecar["build_route"] == "strongly-typed-fp16-onnx"
    assert sidecar["precision"] == "fp16" and sidecar["built_onnx_sha256"] != sidecar[
        "onnx_sha256"]
    assert "route strongly-typed-fp16-onnx" in caplog.text and "is FP32" in caplog.text
    assert not [name for name in USED if name[0] == "BuilderFlag"]
    stamp = os.stat(sibling).st_mtime_ns
    assert _build(linknet_onnx, rebuild="never") == engine  # sibling and engine reused
    assert os.stat(sibling).st_mtime_ns == stamp
    from linknet_edge.runtime.backends import tensorrt as backend
    import numpy as np
    with backend.load(engine) as runner:
        assert runner.run(np.zeros((1, 3, 64, 64), np.float32)).shape == (1, 64, 64)


@requires_onnxruntime
def test_int8_on_11_builds_the_qdq_onnx_strongly_typed_stand_in(stand_in, linknet_onnx,
                                                               camvid_images):
    trt, _ = stand_in(FLAVOURS["11.4"], *ORIN, cuda="cuda-python")
    engine = _build(linknet_onnx, precision="int8", calib_dir=camvid_images)
    sibling = linknet_onnx[:-5] + ".int8.onnx"
    info = read_onnx_info(sibling)
    assert info.precision == "int8" and "QuantizeLinear" in info.op_types
    header = _header(trt)
    assert header["strongly_typed"] and header["qdq"] and header["flags"] == []
    assert header["calibrated_batches"] == 0  # no calibrator exists in 11.x
    sidecar = _sidecar(engine)
    assert (sidecar["build_route"], sidecar["precision"]) == ("strongly-typed-qdq-onnx", "int8")
    assert sidecar["calibration_sha256"] is None and not os.path.exists(engine + ".calib")
    assert "IInt8EntropyCalibrator2" not in dir(trt)
    # the Q/DQ sibling is reused without images, as a calibration cache would be
    assert _build(linknet_onnx, precision="int8", rebuild="always").endswith(".engine")


@pytest.mark.parametrize("precision, tool, command", [
    ("fp16", "onnxconverter_common",
     "linknet-edge quantize {0} --precision fp16 -o {1}.fp16.onnx"),
    ("int8", "onnxruntime",
     "linknet-edge quantize {0} --precision int8 -o {1}.int8.onnx --calib IMAGES")])
def test_11_without_conversion_tools_refuses_with_the_command_stand_in(
        stand_in, linknet_onnx, monkeypatch, tmp_path, precision, tool, command):
    stand_in(FLAVOURS["11.4"], *ORIN)
    monkeypatch.setitem(sys.modules, tool, None)  # import fails as if not installed
    with pytest.raises(EngineBuildError) as info:
        _build(linknet_onnx, precision=precision, calib_dir=str(tmp_path))
    message = str(info.value)
    assert "TensorRT 11.4.0.106 builds {} only from".format(
        "FP16" if precision == "fp16" else "INT8 (Q/DQ)") in message
    assert "is FP32" in message and "not importable here" in message
    assert command.format(linknet_onnx, linknet_onnx[:-5]) in message
    assert "\n" not in message and not os.path.exists(linknet_onnx[:-5] + ".engine")


@requires_onnxruntime
def test_11_int8_without_images_asks_for_them_stand_in(stand_in, linknet_onnx):
    stand_in(FLAVOURS["11.4"], *ORIN)
    with pytest.raises(EngineBuildError, match=r"give --calib DIR \(real frames\)"):
        _build(linknet_onnx, precision="int8")


def test_fp16_onnx_is_built_directly_stand_in(stand_in, linknet_onnx):
    from linknet_edge.export.fp16 import convert_fp16
    fp16 = convert_fp16(linknet_onnx, linknet_onnx[:-5] + "_half.onnx")
    for flavour, route in (("11.4", "strongly-typed-fp16-onnx"),
                           ("10.3", "builder-flags-fp16-onnx")):
        trt, _ = stand_in(FLAVOURS[flavour], *ORIN)
        engine = _build(fp16, rebuild="always")
        sidecar = _sidecar(engine)
        assert sidecar["build_route"] == route
        assert sidecar["built_onnx_sha256"] == sidecar["onnx_sha256"]  # no conversion
        assert _header(trt)["flags"] == ([] if flavour == "11.4" else ["FP16"])
    with pytest.raises(EngineBuildError, match="is an FP16 ONNX: build it with --precision fp16"):
        _build(fp16, precision="fp32")  # never a silent change of precision


@requires_onnxruntime
def test_qdq_onnx_on_builder_flags_needs_no_calibration_stand_in(stand_in, linknet_onnx,
                                                                 camvid_images):
    from linknet_edge.export.quantize import quantize_int8
    qdq = quantize_int8(linknet_onnx, linknet_onnx[:-5] + "_qdq.onnx", camvid_images,
                        calib_count=2)
    trt, _ = stand_in(FLAVOURS["10.3"], *ORIN)
    engine = _build(qdq, precision="int8")  # no --calib, no cache: the scales are in the graph
    assert _sidecar(engine)["build_route"] == "builder-flags-qdq-onnx"
    header = _header(trt)
    assert header["flags"] == ["FP16", "INT8"] and header["calibrated_batches"] == 0
    assert not [c for c in trt._CALLS if c[0] == "IInt8EntropyCalibrator2.__init__"]


def test_sidecar_from_before_build_routes_stays_valid_stand_in(stand_in, linknet_onnx):
    stand_in(FLAVOURS["10.3"], *ORIN)
    engine = _build(linknet_onnx)
    sidecar = _sidecar(engine)
    del sidecar["build_route"], sidecar["built_onnx_sha256"]
    with open(engine + ".json", "w") as handle:
        json.dump(sidecar, handle)
    assert _build(linknet_onnx, rebuild="never") == engine  # read as builder-flags
    stand_in(FLAVOURS["11.4"], *ORIN)
    with pytest.raises(SpecMismatch) as info:  # same file, new route: stale, and says why
        _build(linknet_onnx, rebuild="never")
    assert "build route builder-flags -> strongly-typed-fp16-onnx" in str(info.value)

"""A uint8-input ONNX (``export --input uint8``, the default) through the TensorRT STAND-IN
flavours: 8.5+ (DataType.UINT8 in the real 8.6.1 / 10.x / 11.4 surfaces) builds it as it is and
the engine takes the camera's uint8 NHWC image; 8.2, whose real ONNX parser has no UINT8 case
(onnx-tensorrt release/8.2-GA ``convertDtype``), gets the raw-input sibling (float32 RGB 0-255,
normalised in the engine), or one line naming ``--input raw`` where onnx is not importable."""

import json
import os
import shutil
import sys

import numpy as np
import pytest

from linknet_edge.errors import EngineBuildError
from linknet_edge.onnx_file import read_onnx_info
from tests.markers import data_path, requires_onnxruntime
from tests.stand_ins import FLAVOURS, stand_in  # noqa: F401 (fixture)
from tests.stand_ins.trtexec import write_trtexec

pytestmark = requires_onnxruntime
ORIN = ("NVIDIA Jetson AGX Orin", "8.7")
XAVIER = ("NVIDIA Jetson AGX Xavier", "7.2")


@pytest.fixture
def uint8_onnx(tmp_path, onnx_uint8_path):
    return shutil.copy(onnx_uint8_path, str(tmp_path / "linknet.onnx"))


@pytest.fixture
def frames():
    from linknet_edge.export.sample_images import read_images, synthetic_images
    folder = data_path("camvid", "val")
    return read_images(folder, 3) if os.path.isdir(folder) else synthetic_images(3)


def _ort_classes(path, frames):
    from linknet_edge.runtime.backends import load_model
    with load_model(path, "onnxruntime", providers=["cpu"]) as runner:
        return runner.run(runner.prepare(frames))


def _engine_classes(engine, frames):
    from linknet_edge.runtime.backends import tensorrt as backend
    with backend.load(engine) as runner:
        batch = runner.prepare(frames)
        return runner.spec.input_form, batch, runner.run(batch)


@pytest.mark.parametrize("flavour", ["8.6", "10.3", "11.4"])
def test_uint8_input_engine_on_8_5_and_later_stand_in(stand_in, uint8_onnx, frames, flavour):
    stand_in(FLAVOURS[flavour], *ORIN, cuda="cuda-python")
    from linknet_edge.export.tensorrt import build_engine
    engine = build_engine(uint8_onnx, precision="fp32")
    with open(engine + ".json") as handle:
        sidecar = json.load(handle)
    assert sidecar["spec"]["input_form"] == "uint8" and sidecar["input_shape"] == [1, 64, 64, 3]
    assert not os.path.exists(uint8_onnx[:-5] + ".raw.onnx")
    form, batch, classes = _engine_classes(engine, frames)
    assert form == "uint8" and batch.dtype == np.uint8 and batch.shape == (3, 64, 64, 3)
    assert np.array_equal(classes, _ort_classes(uint8_onnx, frames))


@pytest.mark.parametrize("use_trtexec", [False, True])
def test_uint8_input_on_8_2_builds_the_raw_sibling_stand_in(stand_in, uint8_onnx, frames,
                                                            tmp_path, caplog, use_trtexec):
    import logging
    stand_in(FLAVOURS["8.2"], *XAVIER)
    caplog.set_level(logging.INFO)
    from linknet_edge.export.tensorrt import build_engine
    options = {}
    if use_trtexec:
        options = dict(use_trtexec=True, trtexec_path=write_trtexec(
            tmp_path, (8, 2, 1), tmp_path / "argv.txt"))
    engine = build_engine(uint8_onnx, precision="fp16", **options)
    sibling = uint8_onnx[:-5] + ".raw.onnx"
    info = read_onnx_info(sibling)
    assert info.spec.input_form == "raw" and info.input.dtype == "float32"
    assert info.input.shape == [1, 3, 64, 64]
    assert "has no uint8 tensors" in caplog.text and "raw-input form" in caplog.text
    with open(engine + ".json") as handle:
        sidecar = json.load(handle)
    assert sidecar["spec"]["input_form"] == "raw" and sidecar["input_shape"] == [1, 3, 64, 64]
    if use_trtexec:
        with open(str(tmp_path / "argv.txt")) as handle:
            assert "--onnx={}".format(sibling) in handle.read()
        return
    form, batch, classes = _engine_classes(engine, frames)
    assert form == "raw" and batch.dtype == np.float32 and batch.shape == (3, 3, 64, 64)
    assert float(batch.max()) > 1.0  # 0-255, not normalised on the host
    assert np.array_equal(classes, _ort_classes(uint8_onnx, frames))
    stamp = os.stat(sibling).st_mtime_ns
    assert build_engine(uint8_onnx, precision="fp16", rebuild="always") == engine
    assert os.stat(sibling).st_mtime_ns == stamp  # converted from this very file: reused


def test_uint8_input_on_8_2_without_onnx_is_one_line_stand_in(stand_in, uint8_onnx,
                                                               monkeypatch):
    stand_in(FLAVOURS["8.2"], "NVIDIA Tegra X1", "5.3")
    monkeypatch.setitem(sys.modules, "onnx", None)  # as on a JetPack 4.6 without onnx
    from linknet_edge.export.tensorrt import build_engine
    with pytest.raises(EngineBuildError) as info:
        build_engine(uint8_onnx)
    message = str(info.value)
    assert "TensorRT 8.2.1.8 has no uint8 tensors" in message and "--input raw" in message
    assert "\n" not in message and not os.path.exists(uint8_onnx[:-5] + ".engine")


def test_8_2_parser_stand_in_refuses_a_uint8_input_as_the_real_one(stand_in, uint8_onnx):
    """The stand-in mirrors onnx-tensorrt 8.2-GA's importInput on the unconverted file."""
    trt, _ = stand_in(FLAVOURS["8.2"])
    from linknet_edge.runtime.backends.tensorrt import api
    network = api.create_network(api.create_builder())
    with open(uint8_onnx, "rb") as handle:
        _, errors = api.parse_onnx(network, handle.read())
    assert errors and "Failed to convert ONNX date type to TensorRT data type" in errors[0]
    assert "UINT8" not in trt.DataType.__members__


def test_the_cpu_int8_form_is_refused_by_the_builder_stand_in(stand_in, onnx_path, tmp_path):
    from linknet_edge.export.quantize import quantize_int8
    folder = data_path("camvid", "val")
    if not os.path.isdir(folder):
        pytest.skip("real data not found at ../shared/data")
    stand_in(FLAVOURS["10.3"], *ORIN, cuda="cuda-python")
    cpu = quantize_int8(onnx_path, str(tmp_path / "cpu.onnx"), folder, calib_count=2,
                        target="cpu")
    from linknet_edge.export.tensorrt import build_engine
    with pytest.raises(EngineBuildError, match="CPU INT8 form .* --target tensorrt"):
        build_engine(cpu, precision="int8")

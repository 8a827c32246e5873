"""export.tensorrt.build_engine against the TensorRT and pycuda stand-ins (tests/stand_ins):
plain plan + sidecar, cache decisions, precision refusals, parser errors, the ``build`` verb.
The precision routes (strongly typed on 11.x) are in test_tensorrt_build_routes.py."""

import json
import os
import sys

import pytest

from linknet_edge.errors import EngineBuildError, SpecMismatch
from linknet_edge.runtime.backends.tensorrt.sidecar import SIDECAR_KEYS
from tests.markers import data_path, requires_data
from tests.stand_ins import FLAVOURS, stand_in  # noqa: F401 (fixture)
from tests.stand_ins.tiny_onnx import tiny_spec, write_tiny_onnx

ORIN = ("NVIDIA Jetson AGX Orin", "8.7")


@pytest.fixture
def onnx_path(tmp_path):
    return write_tiny_onnx(tmp_path / "tiny.onnx")


def _builds(trt):
    return sum(1 for name, _ in trt._CALLS if name == "Builder.build_serialized_network")


def _build(onnx_path, **options):
    from linknet_edge.export.tensorrt import build_engine
    return build_engine(onnx_path, **options)


def test_plain_plan_and_sidecar_stand_in(stand_in, onnx_path):
    trt, _ = stand_in("8.2.1.8", "NVIDIA Tegra X1", "5.3")
    engine = _build(onnx_path, workspace_mib=256)
    assert engine == onnx_path[:-5] + ".engine"
    with open(engine, "rb") as handle:
        assert handle.read() == bytes(trt._PLANS[-1])  # nothing prepended
    with open(engine + ".json") as handle:
        sidecar = json.load(handle)
    assert set(sidecar) == set(SIDECAR_KEYS) | {"build_route", "built_onnx_sha256", "io"}
    assert sidecar["build_route"] == "builder-flags"
    assert sidecar["built_onnx_sha256"] == sidecar["onnx_sha256"]
    assert [t["name"] for t in sidecar["io"]["outputs"]] == ["logits", "classes"]   # for deploy
    assert sidecar["io"]["inputs"] == [{"name": "input", "dtype": "float32",
                                        "shape": [1, 3, 64, 64]}]
    assert sidecar["spec"] == tiny_spec().to_dict()
    assert (sidecar["tensorrt_version"], sidecar["gpu_name"], sidecar["compute_capability"],
            sidecar["precision"], sidecar["workspace_mib"]) == (
        "8.2.1.8", "NVIDIA Tegra X1", "5.3", "fp16", 256)
    assert sidecar["input_shape"] == [1, 3, 64, 64]
    assert len(sidecar["onnx_sha256"]) == 64 and sidecar["calibration_sha256"] is None
    assert ("config.max_workspace_size", 256 << 20) in trt._CALLS
    assert ("config.set_flag", "FP16") in trt._CALLS


def test_up_to_date_engine_is_reused_stand_in(stand_in, onnx_path):
    trt, _ = stand_in()
    engine = _build(onnx_path)
    stamp = os.stat(engine).st_mtime_ns
    assert _build(onnx_path) == engine and _build(onnx_path, rebuild="never") == engine
    assert _builds(trt) == 1 and os.stat(engine).st_mtime_ns == stamp
    _build(onnx_path, rebuild="always")
    assert _builds(trt) == 2


@pytest.mark.parametrize("change, words", [
    ("onnx", "ONNX file"), ("trt", "TensorRT version 8.2.1.8 -> 8.2.3.0"),
    ("gpu", "GPU NVIDIA Tegra X1 -> NVIDIA Jetson Nano"), ("precision", "precision fp16 -> fp32"),
    ("workspace", "workspace (MiB) 1024 -> 512")])
def test_stale_engine_rebuilt_or_explained_stand_in(stand_in, onnx_path, change, words):
    stand_in("8.2.1.8", "NVIDIA Tegra X1", "5.3")
    engine = _build(onnx_path)
    options = {}
    if change == "onnx":
        write_tiny_onnx(onnx_path, seed=7)
    elif change == "trt":
        stand_in("8.2.3.0", "NVIDIA Tegra X1", "5.3")
    elif change == "gpu":
        stand_in("8.2.1.8", "NVIDIA Jetson Nano", "5.3")
    elif change == "precision":
        options["precision"] = "fp32"
    else:
        options["workspace_mib"] = 512
    with pytest.raises(SpecMismatch) as info:
        _build(onnx_path, rebuild="never", **options)
    assert words in str(info.value) and "tiny.engine is stale" in str(info.value)
    assert "--no-rebuild" in str(info.value)
    trt = sys.modules["tensorrt"]
    before = _builds(trt)
    assert _build(onnx_path, **options) == engine  # "auto" rebuilds the stale engine
    assert _builds(trt) == before + 1
    assert _build(onnx_path, rebuild="never", **options) == engine  # now up to date


@pytest.mark.parametrize("cc, gpu", [("5.3", "NVIDIA Tegra X1"), ("6.2", "NVIDIA Tegra X2")])
def test_int8_refused_on_tx1_nano_tx2_stand_in(stand_in, onnx_path, tmp_path, cc, gpu):
    stand_in("8.2.1.8", gpu, cc)
    with pytest.raises(EngineBuildError) as info:
        _build(onnx_path, precision="int8", calib_dir=str(tmp_path))
    assert "INT8 needs compute capability 6.1 or 7.0+" in str(info.value)
    assert "compute capability {}".format(cc) in str(info.value) and "fp16" in str(info.value)


def test_fp16_refused_without_fast_fp16_stand_in(stand_in, onnx_path):
    stand_in("8.6.1.6", "NVIDIA GeForce GTX 1080", "6.1")
    with pytest.raises(EngineBuildError, match="no fast FP16.*fp32 or int8"):
        _build(onnx_path, precision="fp16")
    assert _build(onnx_path, precision="fp32").endswith(".engine")


@requires_data
@pytest.mark.parametrize("flavour, cc, gpu", [("8.6", "7.2", "Xavier"), ("10.3", "8.7", "Orin")])
def test_int8_calibrates_once_then_reuses_the_cache_stand_in(stand_in, onnx_path, flavour, cc,
                                                             gpu):
    import shutil
    trt, _ = stand_in(FLAVOURS[flavour], gpu, cc)
    images = os.path.join(os.path.dirname(onnx_path), "calib")
    os.mkdir(images)
    for name in sorted(os.listdir(data_path("camvid", "val")))[:3]:
        shutil.copy(data_path("camvid", "val", name), images)
    engine = _build(onnx_path, precision="int8", calib_dir=images)
    header = json.loads(bytes(trt._PLANS[-1]).split(b"\n")[1].decode())
    assert header["calibrated_batches"] == 3 and header["flags"] == ["FP16", "INT8"]
    with open(engine + ".json") as handle:
        sidecar = json.load(handle)
    assert sidecar["calibration_sha256"] and os.path.isfile(engine + ".calib")
    assert _build(onnx_path, precision="int8", calib_dir=images) == engine  # reused
    assert _builds(trt) == 1
    os.remove(engine)
    _build(onnx_path, precision="int8", calib_dir=images)  # rebuilt from the cache, no images
    assert json.loads(bytes(trt._PLANS[-1]).split(b"\n")[1].decode())[
        "calibrated_batches"] == 0
    with open(engine + ".calib", "ab") as handle:  # another calibration cache: stale
        handle.write(b"changed\n")
    with pytest.raises(SpecMismatch, match="INT8 calibration cache"):
        _build(onnx_path, precision="int8", rebuild="never")


def test_int8_without_images_or_cache_refused_stand_in(stand_in, onnx_path):
    stand_in("10.3.0.26", *ORIN)
    with pytest.raises(EngineBuildError, match="calibration images"):
        _build(onnx_path, precision="int8")


def test_parser_errors_gathered_in_one_message_stand_in(stand_in, tmp_path):
    stand_in("8.2.1.8", "NVIDIA Tegra X1", "5.3")  # both are 'N' in the 8.2-GA table
    onnx_path = write_tiny_onnx(tmp_path / "odd.onnx", unsupported_ops=("Unique", "NonZero"))
    with pytest.raises(EngineBuildError) as info:
        _build(onnx_path)
    message = str(info.value)
    assert "odd.onnx: TensorRT 8.2.1.8 cannot parse it" in message
    assert "op: Unique" in message and "op: NonZero" in message and "\n" not in message
    assert not os.path.exists(str(tmp_path / "odd.engine"))


def test_dynamic_batch_onnx_refused_stand_in(stand_in, tmp_path):
    stand_in()
    with pytest.raises(EngineBuildError, match=r"dynamic dimensions \[-1, 3, 64, 64\]"):
        _build(write_tiny_onnx(tmp_path / "dyn.onnx", batch="N"))


def test_onnx_without_spec_refused_stand_in(stand_in, tmp_path):
    stand_in()
    from linknet_edge.errors import SpecError
    with pytest.raises(SpecError, match="linknet-edge export"):
        _build(write_tiny_onnx(tmp_path / "bare.onnx", with_spec=False))


def test_build_verb_stand_in(stand_in, onnx_path, capsys):
    from linknet_edge.cli import main
    stand_in("8.6.1.6", "NVIDIA Jetson AGX Xavier", "7.2")
    engine = onnx_path[:-5] + ".fp16.engine"
    assert main(["build", onnx_path, "-o", engine, "--workspace", "128"]) == 0
    assert capsys.readouterr().out.strip() == engine
    assert main(["build", onnx_path, "-o", engine, "--precision", "fp32", "--no-rebuild"]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("linknet-edge build: error: ") and "precision fp16 -> fp32" in error
    assert "\n" not in error


def test_build_verb_without_tensorrt(onnx_path, capsys):
    from linknet_edge.runtime.backends import tensorrt as backend
    if backend.tensorrt_problem() is None:
        pytest.skip("TensorRT is installed here")
    from linknet_edge.cli import main
    assert main(["build", onnx_path]) == 1
    error = capsys.readouterr().err.strip()
    assert "building needs TensorRT: the TensorRT Python module is not installed" in error
    assert "tensorrt-cu12==10." in error and "TensorRT 11 needs CUDA 13" in error
    assert "\n" not in error


def test_build_without_any_cuda_binding_stand_in(stand_in, onnx_path, tmp_path, monkeypatch):
    """Building needs TensorRT and the GPU's identity (here from a stand-in nvidia-smi), not
    pycuda: only INT8 calibration hands TensorRT device buffers."""
    stand_in("10.3.0.26", *ORIN, cuda=None)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    smi = bin_dir / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'NVIDIA Jetson AGX Orin, 8.7'\n")
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ["PATH"])
    engine = _build(onnx_path)
    with open(engine + ".json") as handle:
        assert json.load(handle)["gpu_name"] == "NVIDIA Jetson AGX Orin"
    with pytest.raises(EngineBuildError, match="INT8 calibration .* needs pycuda or cuda-python"):
        _build(onnx_path, precision="int8", calib_dir=str(tmp_path))

"""Building through trtexec: the flags follow the trtexec BINARY's version (asked once per path
from its ``&&&& RUNNING`` line), not the Python module's; on trtexec 11.x the FP16 / Q-DQ ONNX
is built without precision flags. Against a STAND-IN trtexec that rejects what its version
does not parse (tests/stand_ins/trtexec.py) and the TensorRT/pycuda stand-ins."""

import json
import os

import pytest

from linknet_edge.errors import EngineBuildError
from linknet_edge.export.trtexec import trtexec_command
from tests.stand_ins import stand_in  # noqa: F401 (fixture)
from tests.stand_ins.tiny_onnx import write_tiny_onnx
from tests.stand_ins.trtexec import write_trtexec

ORIN = ("NVIDIA Jetson AGX Orin", "8.7")


def test_command_lines_per_trtexec_version():
    """The command lines docs/tensorrt.md shows (FP16; 11.x builds the FP16 ONNX)."""
    lines = {version: " ".join(trtexec_command(onnx, "m.engine", version, 1024, precision))
             for version, onnx, precision in (("8.2.1", "m.onnx", "fp16"),
                                              ("8.6.1", "m.onnx", "fp16"),
                                              ("10.3.0", "m.onnx", "fp16"),
                                              ("11.4.0", "m.fp16.onnx", None))}
    assert lines == {
        "8.2.1": "trtexec --onnx=m.onnx --saveEngine=m.engine --explicitBatch --workspace=1024 "
                 "--fp16 --buildOnly",
        "8.6.1": "trtexec --onnx=m.onnx --saveEngine=m.engine --explicitBatch "
                 "--memPoolSize=workspace:1024 --fp16 --skipInference",
        "10.3.0": "trtexec --onnx=m.onnx --saveEngine=m.engine --memPoolSize=workspace:1024M "
                  "--fp16 --skipInference",
        "11.4.0": "trtexec --onnx=m.fp16.onnx --saveEngine=m.engine "
                  "--memPoolSize=workspace:1024M --skipInference"}


@pytest.mark.parametrize("binary, module", [((8, 2, 1), "8.2.1.8"), ((8, 6, 1), "8.6.1.6"),
                                            ((10, 3, 0), "10.3.0.26"), ((11, 4, 0), "11.4.0.106")])
def test_build_through_trtexec_of_each_version_stand_in(stand_in, tmp_path, binary, module):
    stand_in(module, *ORIN)
    log = tmp_path / "argv.txt"
    trtexec = write_trtexec(tmp_path, binary, log)
    from linknet_edge.export.tensorrt import build_engine
    onnx_path = write_tiny_onnx(tmp_path / "tiny.onnx")
    engine = build_engine(onnx_path, precision="fp16", workspace_mib=64, use_trtexec=True,
                          trtexec_path=trtexec)
    argv = log.read_text().split()
    assert argv[0] == "--onnx=" + (onnx_path if binary < (11,) else onnx_path[:-5] + ".fp16.onnx")
    assert ("--fp16" in argv) is (binary < (11,))
    with open(engine + ".json") as handle:
        sidecar = json.load(handle)
    assert sidecar["tensorrt_version"] == module  # the module's full version: same release
    assert sidecar["build_route"] == ("builder-flags" if binary < (11,) else
                                      "strongly-typed-fp16-onnx")
    assert not [p for p in os.listdir(str(tmp_path)) if ".tmp" in p]


def test_flags_follow_the_binary_not_the_python_module_stand_in(stand_in, tmp_path, caplog):
    """A 10.3 Python module beside an 8.6 trtexec: 8.6's flags, and the engine is recorded as
    trtexec's (the runtime then refuses it under 10.3 instead of failing inside TensorRT)."""
    stand_in("10.3.0.26", *ORIN)
    log = tmp_path / "argv.txt"
    trtexec = write_trtexec(tmp_path, (8, 6, 1), log)
    from linknet_edge.export.tensorrt import build_engine
    engine = build_engine(write_tiny_onnx(tmp_path / "tiny.onnx"), use_trtexec=True,
                          trtexec_path=trtexec)
    assert "--explicitBatch" in log.read_text()  # 8.6 flags: the 10.3 module would drop it
    with open(engine + ".json") as handle:
        assert json.load(handle)["tensorrt_version"] == "8.6.1"
    assert "trtexec is TensorRT 8.6.1 but the Python module is 10.3.0.26" in caplog.text


def test_trtexec_needs_no_python_tensorrt_nor_cuda_binding_stand_in(stand_in, tmp_path,
                                                                   monkeypatch):
    stand_in(None, cuda=None)  # neither tensorrt nor pycuda nor cuda-python
    (tmp_path / "bin").mkdir()
    trtexec = write_trtexec(tmp_path / "bin", (8, 2, 1), tmp_path / "argv.txt")
    smi = tmp_path / "bin" / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'NVIDIA GeForce RTX 3090, 8.6'\n")
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    from linknet_edge.cli import main
    onnx_path = write_tiny_onnx(tmp_path / "tiny.onnx")
    assert main(["build", onnx_path, "--trtexec"]) == 0
    with open(onnx_path[:-5] + ".engine.json") as handle:
        sidecar = json.load(handle)
    assert (sidecar["tensorrt_version"], sidecar["gpu_name"]) == ("8.2.1",
                                                                  "NVIDIA GeForce RTX 3090")
    assert trtexec == os.path.join(str(tmp_path / "bin"), "trtexec")


def test_trtexec_int8_without_cache_refused_before_building_stand_in(stand_in, tmp_path):
    stand_in("10.3.0.26", *ORIN)
    trtexec = write_trtexec(tmp_path, (10, 3, 0), tmp_path / "argv.txt")
    from linknet_edge.export.tensorrt import build_engine
    with pytest.raises(EngineBuildError, match="build once without --trtexec"):
        build_engine(write_tiny_onnx(tmp_path / "tiny.onnx"), precision="int8",
                     calib_dir=str(tmp_path), use_trtexec=True, trtexec_path=trtexec)
    assert not (tmp_path / "argv.txt").exists()


def test_trtexec_foreign_cache_refused_stand_in(stand_in, tmp_path):
    stand_in("10.3.0.26", *ORIN)
    trtexec = write_trtexec(tmp_path, (10, 3, 0), tmp_path / "argv.txt")
    onnx_path = write_tiny_onnx(tmp_path / "tiny.onnx")
    cache = tmp_path / "tiny.engine.calib"
    cache.write_bytes(b"TRT-8201-EntropyCalibration2\ninput: 3c010a14\n")
    from linknet_edge.export.tensorrt import build_engine
    with pytest.raises(EngineBuildError) as info:
        build_engine(onnx_path, precision="int8", use_trtexec=True, trtexec_path=trtexec)
    assert str(info.value) == (
        "{} was written by TensorRT 8.2.1, this is TensorRT 10.3.0; trtexec cannot "
        "recalibrate (it reads caches only): build once without --trtexec, with --calib "
        "DIR".format(cache))


def test_trtexec_failure_and_an_unknown_version_stand_in(stand_in, tmp_path):
    stand_in("8.2.1.8", "NVIDIA Tegra X1", "5.3")
    onnx_path = write_tiny_onnx(tmp_path / "tiny.onnx")
    script = tmp_path / "trtexec"
    script.write_text("#!/bin/sh\necho '&&&& RUNNING TensorRT.trtexec [TensorRT v8201] # x'\n"
                      "echo '[E] [TRT] ModelImporter.cpp:773: unsupported op'\nexit 1\n")
    script.chmod(0o755)
    from linknet_edge.export.tensorrt import build_engine
    with pytest.raises(EngineBuildError, match=r"trtexec failed \(exit 1\).*unsupported op"):
        build_engine(onnx_path, precision="fp32", use_trtexec=True, trtexec_path=str(script))
    other = tmp_path / "other"
    other.mkdir()
    silent = other / "trtexec"
    silent.write_text("#!/bin/sh\necho 'usage: something else'\n")
    silent.chmod(0o755)
    with pytest.raises(EngineBuildError, match="cannot tell its TensorRT version"):
        build_engine(onnx_path, use_trtexec=True, trtexec_path=str(silent))

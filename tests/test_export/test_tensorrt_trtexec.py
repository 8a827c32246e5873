"""export.trtexec: the trtexec command line per TensorRT version, and a build through it."""

import os
import stat
import sys

import pytest

from linknet_edge.errors import EngineBuildError
from linknet_edge.export.trtexec import trtexec_command
from tests.stand_ins import stand_in  # noqa: F401 (fixture)
from tests.stand_ins.tiny_onnx import write_tiny_onnx


def test_trtexec_8_2_uses_workspace_and_explicit_batch():
    assert trtexec_command("m.onnx", "m.engine", "fp16", 1024, "8.2.1.8") == [
        "trtexec", "--onnx=m.onnx", "--saveEngine=m.engine", "--explicitBatch",
        "--workspace=1024", "--fp16", "--buildOnly"]


def test_trtexec_8_6_uses_memory_pools():
    assert trtexec_command("m.onnx", "m.engine", "int8", 512, "8.6.1.6", calib_cache="m.calib",
                           fp16_fallback=True) == [
        "trtexec", "--onnx=m.onnx", "--saveEngine=m.engine", "--explicitBatch",
        "--memPoolSize=workspace:512", "--fp16", "--int8", "--calib=m.calib", "--skipInference"]


def test_trtexec_10_3_drops_explicit_batch_and_states_the_unit():
    command = trtexec_command("m.onnx", "m.engine", "fp32", 256, "10.3.0.26")
    assert command == ["trtexec", "--onnx=m.onnx", "--saveEngine=m.engine",
                       "--memPoolSize=workspace:256M", "--skipInference"]
    assert trtexec_command("m.onnx", "m.engine", "fp32", 256, (8, 4, 3))[4] == \
        "--memPoolSize=workspace:256"  # 8.4 introduced memory pools; "10" > "8.4" as versions


def test_trtexec_int8_needs_a_cache():
    with pytest.raises(EngineBuildError, match="only read a cache"):
        trtexec_command("m.onnx", "m.engine", "int8", 256, "8.2.1.8")


def test_build_through_trtexec_stand_in(stand_in, tmp_path, monkeypatch):
    """A stand-in trtexec script on PATH records its argv and writes the engine file."""
    stand_in("8.2.1.8", "NVIDIA Tegra X1", "5.3")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "trtexec"
    script.write_text("#!{}\nimport sys\nopen('{}', 'w').write(' '.join(sys.argv[1:]))\n"
                      "path = [a.split('=', 1)[1] for a in sys.argv if a.startswith("
                      "'--saveEngine=')][0]\nopen(path, 'wb').write(b'plan from trtexec')\n"
                      .format(sys.executable, tmp_path / "argv.txt"))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ["PATH"])
    from linknet_edge.export.tensorrt import build_engine
    onnx_path = write_tiny_onnx(tmp_path / "tiny.onnx")
    engine = build_engine(onnx_path, precision="fp16", workspace_mib=64, use_trtexec=True)
    with open(engine, "rb") as handle:
        assert handle.read() == b"plan from trtexec"
    argv = (tmp_path / "argv.txt").read_text().split()
    assert "--workspace=64" in argv and "--fp16" in argv and "--explicitBatch" in argv
    assert os.path.isfile(engine + ".json") and not [p for p in os.listdir(str(tmp_path))
                                                     if ".tmp" in p]
    script.write_text("#!/bin/sh\necho '[E] [TRT] ModelImporter.cpp:773: unsupported op'\n"
                      "exit 1\n")
    with pytest.raises(EngineBuildError, match=r"trtexec failed \(exit 1\).*unsupported op"):
        build_engine(onnx_path, precision="fp32", use_trtexec=True)

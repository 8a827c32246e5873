"""``linknet-edge build`` with JetPack's TensorRT, numpy and OpenCV alone: onnx, onnxruntime and
torch are import-blocked (a meta-path finder that raises) in a subprocess that has the
TensorRT and pycuda STAND-INS, so the stdlib ONNX reader must do, and ``doctor`` must agree."""

import json
import os
import subprocess
import sys

import pytest

from tests.markers import ROOT
from tests.stand_ins import FLAVOURS, stand_in_path
from tests.stand_ins.tiny_onnx import write_tiny_onnx

pytest.importorskip("onnx")  # to write the test's ONNX files in this process

BLOCKER = """
import sys
class Blocker(object):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("onnx", "onnxruntime", "torch", "onnxconverter_common"):
            sys.stderr.write("blocked import: %s\\n" % name)
            raise ModuleNotFoundError("No module named %r (blocked)" % name, name=name)
        return None
sys.meta_path.insert(0, Blocker())
from linknet_edge.cli import main
code = main(sys.argv[1:])
leaked = [m for m in ("onnx", "onnxruntime", "torch") if m in sys.modules]
sys.stderr.write("leaked: %s\\n" % leaked)
sys.exit(code)
"""


def _run(flavour, *argv):
    env = dict(os.environ, LINKNET_EDGE_STAND_IN_TRT=FLAVOURS[flavour],
               LINKNET_EDGE_STAND_IN_GPU="NVIDIA Jetson AGX Orin|8.7",
               PYTHONPATH=os.pathsep.join(stand_in_path("pycuda") + [ROOT]))
    process = subprocess.Popen([sys.executable, "-c", BLOCKER] + list(argv), cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True)
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


@pytest.mark.parametrize("flavour", ["8.2", "10.3"])
def test_build_with_onnx_and_onnxruntime_blocked_stand_in(tmp_path, flavour):
    onnx_path = write_tiny_onnx(tmp_path / "tiny.onnx")
    code, out, err = _run(flavour, "build", onnx_path, "--precision", "fp16")
    assert code == 0, err
    engine = onnx_path[:-5] + ".engine"
    assert out.strip() == engine and "blocked import" not in err and "leaked: []" in err
    with open(engine + ".json") as handle:
        sidecar = json.load(handle)
    assert (sidecar["tensorrt_version"], sidecar["build_route"]) == (FLAVOURS[flavour],
                                                                     "builder-flags")
    assert sidecar["spec"]["class_names"] == ["c0", "c1", "c2", "c3"]  # read without onnx


def test_11_with_tools_blocked_builds_a_converted_onnx_or_says_the_command_stand_in(tmp_path):
    from linknet_edge.export.fp16 import convert_fp16
    onnx_path = write_tiny_onnx(tmp_path / "tiny.onnx")
    code, out, err = _run("11.4", "build", onnx_path)
    assert code == 1
    error = [line for line in err.splitlines() if line.startswith("linknet-edge build:")]
    assert len(error) == 1 and "Traceback" not in err
    assert "`linknet-edge quantize {} --precision fp16 -o {}`".format(
        onnx_path, onnx_path[:-5] + ".fp16.onnx") in error[0]
    half = convert_fp16(onnx_path, str(tmp_path / "half.onnx"))  # "on the workstation"
    code, out, err = _run("11.4", "build", half)
    assert code == 0, err
    with open(half[:-5] + ".engine.json") as handle:
        assert json.load(handle)["build_route"] == "strongly-typed-fp16-onnx"
    assert "leaked: []" in err


def test_doctor_says_building_works_with_onnx_blocked_stand_in():
    code, out, err = _run("10.3", "doctor")
    assert code == 0, err
    assert "  [ok] build TensorRT engines" in out and "  [ok] run and evaluate TensorRT engines" in out
    assert "tensorrt    10.3.0.26" in out and "pycuda      2022.2.2" in out


def test_doctor_on_11_names_the_conversion_tools_stand_in():
    code, out, err = _run("11.4", "doctor")
    assert code == 0, err
    assert "  [ok] build TensorRT engines" in out
    assert "  [--] FP16/INT8 from an FP32 ONNX (TensorRT 11.4.0.106 converts it first): needs " \
           "onnx, onnxconverter-common, onnxruntime; else build the FP16 / Q-DQ ONNX that " \
           "`linknet-edge quantize` writes on the workstation" in out

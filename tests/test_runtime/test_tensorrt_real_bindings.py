"""The TensorRT code checked against NVIDIA's REAL Python bindings (8.6.1, 10.3.0, 10.16.1.11,
11.4.0.106 wheels, tests/real_tensorrt/) and, for 8.2, the table recorded from NVIDIA's 8.2.1
binding sources (NVIDIA/TensorRT tag 8.2.1, commit 6f38570b: python/src/infer/pyCore.cpp,
pyInt8.cpp, pyGraph.cpp, pyFoundationalTypes.cpp, python/src/parsers/pyOnnx.cpp; see
tests/stand_ins/surfaces/tensorrt-8.2.1.json "source"). Also cuda-python (12.6 ``cuda.cudart``,
13.5 ``cuda.bindings.runtime``) against its stand-in.

Per version: the stand-in's API is exactly the real one's excerpt; every attribute the project
touches on that version's path exists there (the stand-in takes only the real parameter names,
so keyword calls are checked too); the capability probes answer right on the real module; a
missing libnvinfer and a TensorRT that cannot start CUDA each give one line. Skips with the
reason where the package index or gcc is missing (CI has both).
"""

import json
import os
import sys

import pytest

from tests import real_tensorrt
from tests.markers import ROOT
from tests.real_tensorrt.conformance import (SURFACE_OF, check_usage, conformance_table,
                                             record_usage)
from tests.stand_ins import FLAVOURS, install_stand_ins
from tests.stand_ins.tiny_onnx import write_tiny_onnx

WHEEL_VERSIONS = sorted(real_tensorrt.WHEELS)
#: real version -> Capabilities.to_dict() and the STRONGLY_TYPED bit
PROBES = {
    "8.6.1": dict(has_tensor_api=True, has_binding_api=True, has_memory_pool=True,
                  has_serialized_build=True, needs_explicit_batch_flag=True,
                  has_precision_flags=True, has_calibrator=True, has_strongly_typed_flag=False,
                  strongly_typed_bits=0, has_uint8_input=True),
    "10.3.0": dict(has_tensor_api=True, has_binding_api=False, has_memory_pool=True,
                   has_serialized_build=True, needs_explicit_batch_flag=False,
                   has_precision_flags=True, has_calibrator=True, has_strongly_typed_flag=True,
                   strongly_typed_bits=2, has_uint8_input=True),
    "10.16.1.11": dict(has_tensor_api=True, has_binding_api=False, has_memory_pool=True,
                       has_serialized_build=True, needs_explicit_batch_flag=False,
                       has_precision_flags=True, has_calibrator=True,
                       has_strongly_typed_flag=True, strongly_typed_bits=2,
                       has_uint8_input=True),
    "11.4.0.106": dict(has_tensor_api=True, has_binding_api=False, has_memory_pool=True,
                       has_serialized_build=True, needs_explicit_batch_flag=False,
                       has_precision_flags=False, has_calibrator=False,
                       has_strongly_typed_flag=True, strongly_typed_bits=1,
                       has_uint8_input=True),
}
#: the library the dynamic loader reports missing first, per wheel
MISSING_FIRST = {"8.6.1": "libnvinfer.so.8", "10.3.0": "libnvinfer.so.10",
                 "10.16.1.11": "libnvonnxparser.so.10", "11.4.0.106": "libnvonnxparser.so.11"}
_PROBE = ("import json, tensorrt\n"
          "from linknet_edge.runtime.backends.tensorrt.versions import Capabilities, "
          "strongly_typed_flags\n"
          "found = Capabilities(tensorrt).to_dict()\n"
          "found['strongly_typed_bits'] = strongly_typed_flags(tensorrt)\n"
          "print(json.dumps(found, sort_keys=True))\n")


def _real(version):
    try:
        return real_tensorrt.install(version)
    except real_tensorrt.RealUnavailable as exc:
        pytest.skip(str(exc))


def _surface(flavour):
    """The real surface a stand-in flavour is checked against (8.2: the recorded table)."""
    version = SURFACE_OF[flavour]
    if version in real_tensorrt.WHEELS:
        _real(version)
        return real_tensorrt.real_surface(version)
    return real_tensorrt.load_surface(version)


@pytest.fixture(scope="session")
def usages(tmp_path_factory):
    """flavour -> the (class, member) pairs the project touches on that version's path."""
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from _pytest.monkeypatch import MonkeyPatch
    patch = MonkeyPatch()
    found = {}
    try:
        for flavour in FLAVOURS:
            found[flavour] = record_usage(flavour, str(tmp_path_factory.mktemp(flavour)), patch)
    finally:
        patch.undo()
        from tests.stand_ins import _forget_modules
        _forget_modules()
    return found


@pytest.mark.parametrize("version", WHEEL_VERSIONS)
def test_stand_in_surfaces_are_the_real_ones(version):
    _real(version)
    committed = real_tensorrt.load_surface(version)
    committed.pop("source")
    assert committed == real_tensorrt.excerpt(real_tensorrt.real_surface(version)), \
        "tests/stand_ins/surfaces/ is stale: run python -m tests.real_tensorrt"


def test_the_8_2_table_names_its_source():
    table = real_tensorrt.load_surface("8.2.1")
    assert "NVIDIA/TensorRT tag 8.2.1" in table["source"] and "pyCore.cpp" in table["source"]
    builder = table["classes"]["Builder"]
    assert builder["source"].startswith("python/src/infer/pyCore.cpp:")
    assert "build_serialized_network" in builder["members"] and "max_batch_size" in builder[
        "members"]
    assert "MemoryPoolType" not in table["classes"] and "TensorIOMode" not in table["classes"]
    assert table["classes"]["IExecutionContext"]["members"]["execute_async_v2"]["overloads"] == [
        [["bindings", False], ["stream_handle", False], ["input_consumed", True]]]


@pytest.mark.parametrize("flavour", sorted(FLAVOURS))
def test_each_stand_in_flavour_exposes_only_the_real_api(flavour, monkeypatch):
    real = _surface(flavour)
    trt, _ = install_stand_ins(monkeypatch, FLAVOURS[flavour])
    extra = [n for n in dir(trt) if not n.startswith("_") and n not in real["module"]]
    assert extra == []
    for name in dir(trt):
        value = getattr(trt, name)
        if name.startswith("_") or not isinstance(value, type):
            continue
        members = real["classes"][name]["members"]
        exposed = [m for m in dir(value) if not m.startswith("_") and
                   m not in ("mro", "__members__")]
        assert [m for m in exposed if m not in members] == [], name
        for member in exposed:
            static = next(vars(k)[member] for k in value.__mro__ if member in vars(k))
            if isinstance(static, property):
                assert members[member]["kind"] == "property", (name, member)
                assert (static.fset is not None) is members[member]["settable"], (name, member)


@pytest.mark.parametrize("flavour", sorted(FLAVOURS))
def test_everything_used_exists_in_the_real_version(flavour, usages):
    """Run against the flavour's stand-in (which accepts only the real parameter names), the
    builder and runner touch only what the real release has."""
    assert usages[flavour], "nothing recorded"
    assert check_usage(usages[flavour], _surface(flavour)) == []


def test_conformance_table_is_current_in_the_docs(usages):
    surfaces = dict((f, real_tensorrt.load_surface(SURFACE_OF[f])) for f in usages)
    table = conformance_table(usages, surfaces)
    assert "MISSING" not in table
    with open(os.path.join(ROOT, "docs", "tensorrt.md")) as handle:
        docs = handle.read()
    assert table in docs, "docs/tensorrt.md: paste `python -m tests.real_tensorrt.conformance`"
    for removed in ("`BuilderFlag.FP16` | yes | yes | yes | yes | - |",
                    "`IBuilderConfig.int8_calibrator` | yes | yes | yes | yes | - |",
                    "`NetworkDefinitionCreationFlag.EXPLICIT_BATCH` | yes | yes | - | - | - |"):
        assert removed in table  # 11.x: no precision flags, no calibrator; 10.x: flag ignored


@pytest.mark.parametrize("version", WHEEL_VERSIONS)
def test_capability_probes_on_the_real_module(version):
    _real(version)
    code, output = real_tensorrt.run_real(version, ["-c", _PROBE])
    assert code == 0, output
    assert json.loads(output.strip().splitlines()[-1]) == PROBES[version]


@pytest.mark.parametrize("version", WHEEL_VERSIONS)
def test_missing_libraries_read_as_installed_but_cannot_load(version, tmp_path):
    """The real bindings without their libraries (a JetPack 4 container started without
    --runtime nvidia): doctor and build each say so in one line."""
    _real(version)
    library = MISSING_FIRST[version]
    code, output = real_tensorrt.run_real(version, ["-m", "linknet_edge.cli", "doctor"],
                                          stubs=False)
    assert code == 0, output
    line = [entry for entry in output.splitlines() if entry.startswith("tensorrt ")][0]
    assert line.split(None, 1)[1] == (
        "-  installed but cannot load: {}: cannot open shared object file: No such file or "
        "directory (its libraries are missing: in a Jetson container start it with `--runtime "
        "nvidia`; on x86 install the matching TensorRT libraries)".format(library))
    assert "[--] build TensorRT engines: the TensorRT Python module is installed but cannot " \
           "load: {}".format(library) in output
    onnx_path = write_tiny_onnx(tmp_path / "tiny.onnx")
    code, output = real_tensorrt.run_real(version, ["-m", "linknet_edge.cli", "build",
                                                    onnx_path], stubs=False)
    assert code == 1 and "Traceback" not in output
    assert output.strip().splitlines() == [
        "linknet-edge build: error: building needs TensorRT: the TensorRT Python module is "
        "installed but cannot load: {}: cannot open shared object file: No such file or "
        "directory (its libraries are missing: in a Jetson container start it with `--runtime "
        "nvidia`; on x86 install the matching TensorRT libraries); build on the Jetson or GPU "
        "machine that will run the engine".format(library)]


@pytest.mark.parametrize("version", WHEEL_VERSIONS)
def test_tensorrt_that_cannot_start_cuda_is_one_line(version, tmp_path):
    """The real bindings with libraries that cannot create a builder (trt.Builder raises
    "factory function returned nullptr"), a GPU identity from a stand-in nvidia-smi."""
    _real(version)
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'NVIDIA GeForce RTX 3090, 8.6'\n")
    smi.chmod(0o755)
    onnx_path = write_tiny_onnx(tmp_path / "tiny.onnx")
    env = {"PATH": str(tmp_path) + os.pathsep + os.environ["PATH"]}
    code, output = real_tensorrt.run_real(
        version, ["-m", "linknet_edge.cli", "-q", "build", onnx_path, "--precision", "fp32"],
        env=env)
    assert code == 1 and "Traceback" not in output and "nullptr" not in output
    assert output.strip().splitlines() == [
        "linknet-edge build: error: TensorRT {} could not create its Builder: CUDA could not "
        "start: no usable GPU is visible to this process (check the NVIDIA driver, access to "
        "/dev/nvidia* or /dev/nvhost*, and start a container with `--runtime nvidia` or "
        "`--gpus all`)".format(version)]


def _cuda_python(layout):
    try:
        return real_tensorrt.install_cuda_python(layout)
    except real_tensorrt.RealUnavailable as exc:
        pytest.skip(str(exc))


_CUDA_SURFACE = """
import inspect, json, re, sys, importlib
real = importlib.import_module(sys.argv[1])
sys.path.insert(0, sys.argv[2])
from tests.stand_ins import cuda_runtime as stand_in
report = {}
for name in stand_in.__all__:
    if name.startswith("_"):
        continue
    ours = getattr(stand_in, name)
    theirs = getattr(real, name, None)
    entry = {"real": theirs is not None}
    if theirs is not None and inspect.isclass(ours) and hasattr(ours, "__members__"):
        entry["members"] = dict((k, int(getattr(theirs, k)) if hasattr(theirs, k) else None)
                                for k in ours.__members__)
        entry["ours"] = dict((k, int(v)) for k, v in ours.__members__.items())
    elif theirs is not None and callable(ours) and not inspect.isclass(ours):
        first = (theirs.__doc__ or "").strip().splitlines()[0]
        inside = first[first.index("(") + 1:first.rindex(")")]
        entry["real_params"] = [p.split(":")[0].split()[-1] for p in inside.split(",")
                                if p.strip()]
        entry["our_params"] = list(inspect.signature(ours).parameters)
    elif theirs is not None and name == "cudaDeviceProp":
        prop = theirs()
        entry["fields"] = [type(getattr(prop, f)).__name__ for f in ("name", "major", "minor")]
    report[name] = entry
print(json.dumps(report))
"""


@pytest.mark.parametrize("layout", sorted(real_tensorrt.CUDA_PYTHON))
def test_cuda_python_stand_in_agrees_with_the_real_module(layout):
    site = _cuda_python(layout)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([site, ROOT]))
    import subprocess
    output = subprocess.check_output([sys.executable, "-W", "ignore", "-c", _CUDA_SURFACE, layout,
                                      ROOT], env=env, cwd=ROOT, universal_newlines=True)
    report = json.loads(output.strip().splitlines()[-1])
    assert report and all(entry["real"] for entry in report.values()), report
    for name, entry in report.items():
        if "real_params" in entry:
            assert entry["our_params"] == entry["real_params"], name
        if "members" in entry:
            assert entry["members"] == entry["ours"], name
    assert report["cudaDeviceProp"]["fields"] == ["bytes", "int", "int"]


@pytest.mark.parametrize("layout", sorted(real_tensorrt.CUDA_PYTHON))
def test_real_cuda_python_without_a_gpu_is_one_line(layout):
    """The project's cuda-python path on the real module, where no driver exists (12.6 raises
    "Failed to dlopen libcuda.so.1", 13.x returns an error code): one line, no traceback."""
    site = _cuda_python(layout)
    code = ("from linknet_edge.runtime.backends.tensorrt import cuda, gpu\n"
            "assert cuda.flavour() == 'cuda-python', cuda.flavour()\n"
            "from linknet_edge.errors import BackendUnavailable\n"
            "try:\n    gpu.describe_gpu()\nexcept BackendUnavailable as exc:\n    print(exc)\n")
    import subprocess
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([site, ROOT]), PATH="/usr/bin:/bin")
    output = subprocess.check_output([sys.executable, "-W", "ignore", "-c", code], env=env,
                                     cwd=ROOT, universal_newlines=True)
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("no usable CUDA GPU 0 (")
    assert "libcuda" in lines[0] or "CUDA cudaGetDeviceProperties failed" in lines[0]

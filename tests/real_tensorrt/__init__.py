"""NVIDIA's REAL TensorRT Python bindings (and cuda-python), importable here without a GPU.

The bindings are small binary wheels on the package index (``tensorrt-bindings==8.6.1``,
``tensorrt-cu12-bindings==10.3.0 / 10.16.1.11 / 11.4.0.106``, cp311), installed with ``pip
install --no-deps --only-binary=:all: --target`` into a cache folder (``LINKNET_EDGE_CACHE``,
default ``~/.cache/linknet-edge/real-tensorrt``) and reused across runs. They import once the C
libraries they link resolve: ``stub.c``, compiled with gcc into ``libnvinfer.so.N`` & co, answers
every entry point with NULL, so the whole API surface can be read while ``trt.Builder()`` and
``trt.Runtime()`` raise "factory function returned nullptr" as on a machine without CUDA. Each
real module is imported in a subprocess (``run_real``). ``RealUnavailable`` says why not (no
gcc, no index, not Python 3.11); the tests skip with that reason.

``excerpt`` keeps the classes the project's stand-in imitates; ``tests/stand_ins/surfaces/``
holds those excerpts per version (the 8.2.1 one recorded from NVIDIA's binding sources), and
``python -m tests.real_tensorrt`` rewrites the generated ones from the real wheels.
"""

import json
import os
import shutil
import subprocess
import sys

__all__ = ["WHEELS", "CUDA_PYTHON", "STAND_IN_CLASSES", "SURFACES", "RealUnavailable",
           "cache_dir", "install", "install_cuda_python", "run_real", "real_surface", "excerpt",
           "surface_file", "load_surface", "write_excerpts"]

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SURFACES = os.path.join(ROOT, "tests", "stand_ins", "surfaces")
#: version -> (requirement, libnvinfer major)
WHEELS = {"8.6.1": ("tensorrt-bindings==8.6.1", 8),
          "10.3.0": ("tensorrt-cu12-bindings==10.3.0", 10),
          "10.16.1.11": ("tensorrt-cu12-bindings==10.16.1.11", 10),
          "11.4.0.106": ("tensorrt-cu12-bindings==11.4.0.106", 11)}
#: layout -> requirements: cuda-python before 12.6 had only ``cuda.cudart`` (12.6 has both),
#: cuda-bindings 13 only ``cuda.bindings.runtime``.
CUDA_PYTHON = {"cuda.cudart": ("cuda-python==12.6.2.post1",),
               "cuda.bindings.runtime": ("cuda-bindings==13.5.0", "cuda-pathfinder==1.9.1")}
_LIBRARIES = ("nvinfer", "nvonnxparser", "nvinfer_plugin", "nvparsers")
#: the classes of ``tensorrt`` the stand-in imitates (and the project touches)
STAND_IN_CLASSES = (
    "Builder", "BuilderFlag", "DataType", "IBuilderConfig", "ICudaEngine", "IExecutionContext",
    "IHostMemory", "IInt8Calibrator", "IInt8EntropyCalibrator2", "ILogger", "ILogger.Severity",
    "INetworkDefinition", "ITensor", "Logger", "MemoryPoolType", "NetworkDefinitionCreationFlag",
    "OnnxParser", "ParserError", "Runtime", "TensorIOMode")
_MODULE_NAMES = ("__version__", "nptype")


class RealUnavailable(Exception):
    """The real bindings cannot be had here (the message says why)."""


def cache_dir():
    base = os.environ.get("LINKNET_EDGE_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "linknet-edge")
    return os.path.join(base, "real-tensorrt")


def _check_python():
    if sys.version_info[:2] != (3, 11):
        raise RealUnavailable("the real bindings wheels are cp311; this is Python {}.{}".format(
            *sys.version_info[:2]))


def _pip_target(target, requirements):
    """Install ``requirements`` into ``target`` once (a marker file says it is complete)."""
    marker = os.path.join(target, ".complete")
    if os.path.isfile(marker):
        return target
    _check_python()
    partial = target + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--target", partial] + list(requirements)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True)
    output, _ = process.communicate()
    if process.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        lines = [line for line in output.splitlines() if "ERROR" in line] or output.splitlines()
        raise RealUnavailable("pip could not install {} (the package index may be out of "
                              "reach): {}".format(" ".join(requirements),
                                                  (lines or ["no output"])[-1][:200]))
    with open(os.path.join(partial, ".complete"), "w") as handle:
        handle.write(" ".join(requirements))
    shutil.rmtree(target, ignore_errors=True)
    os.rename(partial, target)
    return target


def _stubs(major):
    folder = os.path.join(cache_dir(), "stubs", "lib{}".format(major))
    if all(os.path.isfile(os.path.join(folder, "lib{}.so.{}".format(lib, major)))
           for lib in _LIBRARIES):
        return folder
    gcc = shutil.which("gcc")
    if gcc is None:
        raise RealUnavailable("gcc is missing, so no stub libnvinfer can be compiled")
    os.makedirs(folder, exist_ok=True)
    for lib in _LIBRARIES:
        name = "lib{}.so.{}".format(lib, major)
        subprocess.check_call([gcc, "-shared", "-fPIC", "-o", os.path.join(folder, name + ".tmp"),
                               os.path.join(HERE, "stub.c"), "-Wl,-soname," + name])
        os.rename(os.path.join(folder, name + ".tmp"), os.path.join(folder, name))
    return folder


def install(version):
    """``(site folder, stub library folder)`` for a real bindings version."""
    requirement, major = WHEELS[version]
    target = _pip_target(os.path.join(cache_dir(), "tensorrt-" + version), [requirement])
    package = os.path.join(target, "tensorrt")
    if not os.path.isdir(package):  # what the tensorrt metapackage adds: a re-export
        os.makedirs(package)
        with open(os.path.join(package, "__init__.py"), "w") as handle:
            handle.write("from tensorrt_bindings import *\n"
                         "from tensorrt_bindings import __version__\n")
    return target, _stubs(major)


def install_cuda_python(layout):
    """The site folder of a real cuda-python offering ``layout`` ("cuda.cudart" or
    "cuda.bindings.runtime")."""
    return _pip_target(os.path.join(cache_dir(), layout.replace(".", "-")), CUDA_PYTHON[layout])


def run_real(version, argv, stubs=True, env=None, timeout=300):
    """``(exit code, output)`` of ``argv`` (run with this interpreter) with the real bindings of
    ``version`` importable; ``stubs=False`` leaves libnvinfer unresolvable (a broken install)."""
    site, libs = install(version)
    environment = dict(os.environ)
    environment.update(env or {})
    environment["PYTHONPATH"] = os.pathsep.join(
        [site, ROOT] + [p for p in environment.get("PYTHONPATH", "").split(os.pathsep) if p])
    environment.pop("LD_LIBRARY_PATH", None)
    if stubs:
        environment["LD_LIBRARY_PATH"] = libs
    process = subprocess.Popen([sys.executable] + list(argv), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True, cwd=ROOT,
                               env=environment)
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output


def real_surface(version):
    """The full surface of the real module (``introspect.py``), cached as JSON."""
    path = os.path.join(cache_dir(), "surface-{}.json".format(version))
    if not os.path.isfile(path):
        code, output = run_real(version, [os.path.join(HERE, "introspect.py"), path + ".tmp"])
        if code != 0:
            raise AssertionError("introspecting the real TensorRT {} failed: {}".format(
                version, output[-2000:]))
        os.rename(path + ".tmp", path)
    with open(path) as handle:
        return json.load(handle)


def excerpt(surface, source=None):
    """The stand-in's classes of a surface, their public members, and the module names."""
    classes = {}
    for name in STAND_IN_CLASSES:
        if name not in surface["classes"]:
            continue
        described = surface["classes"][name]
        members = dict((member, entry) for member, entry in described["members"].items()
                       if member == "__init__" or not member.startswith("_"))
        kept = {"members": members,
                "bases": [b for b in described.get("bases", []) if b in STAND_IN_CLASSES]}
        if "enum" in described:
            kept["enum"] = described["enum"]
        classes[name] = kept
    module = dict((name, kind) for name, kind in surface["module"].items()
                  if name in STAND_IN_CLASSES or name in _MODULE_NAMES)
    result = {"version": surface["version"], "module": module, "classes": classes}
    if source:
        result["source"] = source
    return result


def surface_file(version):
    return os.path.join(SURFACES, "tensorrt-{}.json".format(version))


def load_surface(version):
    with open(surface_file(version)) as handle:
        return json.load(handle)


def write_excerpts():
    """Rewrite tests/stand_ins/surfaces/ from the real wheels (8.2.1 is recorded, kept)."""
    for version in WHEELS:
        data = excerpt(real_surface(version), source="{} (pip install --no-deps "
                       "--only-binary=:all:), introspected by tests/real_tensorrt/introspect.py"
                       .format(WHEELS[version][0]))
        with open(surface_file(version), "w") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.write("\n")

"""What this machine has: library versions, GPU, Jetson release, and what can run here.

Used by ``linknet-edge doctor`` and recorded with every benchmark. Each probe is guarded: a
missing or broken library is reported, never raised.
"""

import importlib
import importlib.util
import os
import platform
import re
import sys

from linknet_edge.errors import first_line

from .gstreamer import opencv_has_gstreamer

__all__ = ["describe_environment", "format_environment", "read_l4t_release", "jetson_model",
           "module_version", "cuda_device"]

_LIBRARIES = ("numpy", "cv2", "torch", "onnx", "onnxruntime", "tensorrt", "pycuda")


def module_version(name):
    """(version or None, error or None) of an importable module."""
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None, "not installed"
    except Exception as exc:  # a broken install (e.g. missing CUDA libraries) must not stop us
        return None, "fails to import: {}".format(first_line(exc))
    # pycuda keeps its version in VERSION_TEXT
    return getattr(module, "__version__", getattr(module, "VERSION_TEXT", "installed")), None


def read_l4t_release(path="/etc/nv_tegra_release"):
    """``"R32.7.1"`` from a Jetson's release file, or None off a Jetson."""
    try:
        with open(path) as handle:
            text = handle.readline()
    except (IOError, OSError):
        return None
    match = re.search(r"R(\d+)\s*\(release\),\s*REVISION:\s*([\d.]+)", text)
    return "R{}.{}".format(match.group(1), match.group(2)) if match else None


def jetson_model(path="/proc/device-tree/model"):
    """The board name (e.g. "NVIDIA Jetson Nano Developer Kit"), or None."""
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("ascii", "replace").strip("\x00\n ") or None
    except (IOError, OSError):
        return None


def cuda_device():
    """``{"name", "compute_capability", "via"}`` of GPU 0 via torch, else pycuda / cuda-python /
    nvidia-smi / the Jetson device tree (what TensorRT builds use), else None."""
    try:
        import torch
        if torch.cuda.is_available():
            major, minor = torch.cuda.get_device_capability(0)
            return {"name": torch.cuda.get_device_name(0),
                    "compute_capability": "{}.{}".format(major, minor), "via": "torch"}
    except Exception:
        pass
    from .backends.tensorrt.gpu import describe_gpu
    try:
        return describe_gpu(0)
    except Exception:
        return None


def _tensorrt_rows(env):
    """doctor's TensorRT rows, asked of the backend itself so they say what ``build`` and
    ``run`` will find (a broken install, no CUDA binding, no GPU, no trtexec)."""
    from .backends import tensorrt as backend
    from .backends.tensorrt.trtexec import find_trtexec
    try:
        trtexec = find_trtexec()
    except Exception as exc:
        trtexec_why = first_line(exc)
    else:
        trtexec_why = backend.build_unavailable_reason(trtexec)
    build = backend.build_unavailable_reason()
    run = backend.unavailable_reason() or build or (
        None if env["libraries"]["cv2"]["version"] else "needs cv2")
    rows = [("build TensorRT engines", (build is None, build or "")),
            ("build TensorRT engines with --trtexec", (trtexec_why is None, trtexec_why or "")),
            ("run TensorRT engines", (run is None, run or ""))]
    if backend.tensorrt_problem() is None and backend.api.capabilities().strongly_typed_only:
        have = dict((n, bool(env["libraries"][n]["version"])) for n in ("onnx", "onnxruntime"))
        have["onnxconverter-common"] = _found("onnxconverter_common")
        missing = [n for n in ("onnx", "onnxconverter-common", "onnxruntime") if not have[n]]
        rows.append(("FP16/INT8 from an FP32 ONNX (TensorRT {} converts it first)".format(
            backend.version()), (not missing, "needs {}; else build the FP16 / Q-DQ ONNX that "
                                 "`linknet-edge quantize` writes on the workstation".format(
                                     ", ".join(missing)))))
    return rows


def _found(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


def _tensorrt_library():
    """The tensorrt row: "not installed" vs "installed but cannot load: <reason>"."""
    from .backends import tensorrt as backend
    problem = backend.tensorrt_problem()
    if problem is None:
        return {"version": backend.version(), "error": None}
    if "is not installed" in problem:
        return {"version": None, "error": "not installed"}
    return {"version": None, "error": problem.replace("the TensorRT Python module is ", "")}


def _cuda_python_library():
    from .backends.tensorrt import cuda
    if cuda.flavour() != "cuda-python":
        return {"version": None, "error": "not installed" if cuda.flavour() is None else
                "not used (pycuda is)"}
    try:
        return {"version": cuda.binding_version()[1], "error": None}
    except Exception as exc:
        return {"version": None, "error": "fails to import: {}".format(first_line(exc))}


def describe_environment():
    """A JSON-ready dict of versions, GPU, Jetson facts and the toolkit's capabilities."""
    env = {"python": sys.version.split()[0], "platform": platform.platform(),
           "machine": platform.machine(), "cpu_count": os.cpu_count(), "libraries": {}}
    for name in _LIBRARIES:
        version, error = module_version(name)
        env["libraries"][name] = {"version": version, "error": error}
    env["libraries"]["tensorrt"] = _tensorrt_library()
    env["libraries"]["cuda-python"] = _cuda_python_library()
    if env["libraries"]["cv2"]["version"]:
        env["opencv_gstreamer"] = opencv_has_gstreamer()
    if env["libraries"]["onnxruntime"]["version"]:
        import onnxruntime
        env["onnxruntime_providers"] = list(onnxruntime.get_available_providers())
    env["cuda_device"] = cuda_device()
    env["l4t_release"] = read_l4t_release()
    env["jetson_model"] = jetson_model() if env["l4t_release"] else None
    env["capabilities"] = _capabilities(env)
    return env


def _capabilities(env):
    have = {name: bool(info["version"]) for name, info in env["libraries"].items()}

    def need(*names):
        missing = [n for n in names if not have[n]]
        return (True, "") if not missing else (False, "needs " + ", ".join(missing))

    rows = [
        ("train / evaluate", need("torch", "numpy", "cv2")),
        ("export to ONNX", need("torch", "onnx")),
        ("verify ONNX against PyTorch", need("torch", "onnx", "onnxruntime")),
        ("run ONNX models (ONNX Runtime)", need("onnxruntime", "cv2")),
    ] + _tensorrt_rows(env)
    gst = env.get("opencv_gstreamer")
    rows.append(("CSI camera (csi://)", (bool(gst and env["l4t_release"]),
                 "" if gst and env["l4t_release"] else
                 "needs a Jetson and OpenCV built with GStreamer (JetPack's, not pip's)")))
    return [{"what": what, "ok": ok, "why": why} for what, (ok, why) in rows]


def format_environment(env):
    """``doctor``'s text report."""
    lines = ["Python      {}  ({})".format(env["python"], env["platform"])]
    for name, info in env["libraries"].items():
        label = {"cv2": "OpenCV"}.get(name, name)
        lines.append("{:11} {}".format(label, info["version"] or "-  " + info["error"]))
    if "opencv_gstreamer" in env:
        lines.append("GStreamer   {}".format("yes (in OpenCV)" if env["opencv_gstreamer"] else
                                            "no (OpenCV built without it)"))
    if "onnxruntime_providers" in env:
        lines.append("ORT EPs     {}".format(", ".join(env["onnxruntime_providers"])))
    gpu = env["cuda_device"]
    lines.append("CUDA GPU    {}".format("{} (compute capability {})".format(
        gpu["name"], gpu["compute_capability"]) if gpu else "none"))
    if env["l4t_release"]:
        lines.append("Jetson      {} (L4T {})".format(env["jetson_model"] or "unknown board",
                                                      env["l4t_release"]))
    lines.append("")
    lines.append("What can run here:")
    for row in env["capabilities"]:
        lines.append("  [{}] {}{}".format("ok" if row["ok"] else "--", row["what"],
                                          "" if row["ok"] else ": " + row["why"]))
    return "\n".join(lines)

"""What this machine has: library versions, GPU, Jetson release, and what can run here.

Used by ``linknet-edge doctor`` and recorded with every benchmark. Each probe is guarded: a
missing or broken library is reported, never raised.
"""

import importlib
import os
import platform
import re
import shutil
import subprocess
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
    """``{"name", "compute_capability"}`` of GPU 0 via torch, pycuda or nvidia-smi, else None."""
    try:
        import torch
        if torch.cuda.is_available():
            major, minor = torch.cuda.get_device_capability(0)
            return {"name": torch.cuda.get_device_name(0),
                    "compute_capability": "{}.{}".format(major, minor), "via": "torch"}
    except Exception:
        pass
    try:
        from .backends._cuda import gpu_identity
        name, capability = gpu_identity(0)
        return {"name": name, "compute_capability": capability, "via": "pycuda"}
    except Exception:
        pass
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.check_output(
                [smi, "--query-gpu=name,compute_cap", "--format=csv,noheader"],
                stderr=subprocess.DEVNULL, universal_newlines=True, timeout=10)
            name, capability = [part.strip() for part in out.splitlines()[0].split(",")]
            return {"name": name, "compute_capability": capability, "via": "nvidia-smi"}
        except Exception:
            pass
    return None


def describe_environment():
    """A JSON-ready dict of versions, GPU, Jetson facts and the toolkit's capabilities."""
    env = {"python": sys.version.split()[0], "platform": platform.platform(),
           "machine": platform.machine(), "cpu_count": os.cpu_count(), "libraries": {}}
    for name in _LIBRARIES:
        version, error = module_version(name)
        env["libraries"][name] = {"version": version, "error": error}
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
        ("build TensorRT engines", need("tensorrt", "pycuda")),
        ("run TensorRT engines", need("tensorrt", "pycuda", "cv2")),
    ]
    if rows[4][1][0] and not env["cuda_device"]:
        rows[4] = (rows[4][0], (False, "TensorRT is installed but no CUDA GPU was found"))
        rows[5] = (rows[5][0], rows[4][1])
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

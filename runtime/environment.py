"""What this machine has: library versions, CPU and GPU, Jetson release, power mode and clocks.

The one set of machine probes: ``describe_environment`` is what ``doctor`` reports (it adds what
can run here, ``runtime.doctor``), ``record_environment`` what every benchmark records. Each probe
is guarded: a missing or broken library or tool is reported, never raised; sysfs is read
without root.
"""

import glob
import importlib
import importlib.util
import logging
import os
import platform
import re
import subprocess
import sys

from linknet_edge.errors import first_line

from .video.gstreamer import opencv_has_gstreamer

__all__ = ["describe_environment", "record_environment", "read_l4t_release", "jetson_model",
           "module_version", "cuda_device", "read_power_mode", "read_clock_state", "found",
           "OPTIONAL_LIBRARIES"]

logger = logging.getLogger(__name__)

_LIBRARIES = ("numpy", "cv2", "torch", "onnx", "onnxruntime", "tensorrt", "pycuda")
#: pure-Python extras, by pip name -> import name (``doctor`` says what each enables)
OPTIONAL_LIBRARIES = (("onnxconverter-common", "onnxconverter_common"),
                      ("matplotlib", "matplotlib"), ("tqdm", "tqdm"))


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


def found(name):
    """True if ``name`` can be imported (asked of ``find_spec``: nothing is imported)."""
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
    """A JSON-ready dict of library versions, GPU and Jetson facts (``doctor`` adds what can run)."""
    env = {"python": sys.version.split()[0], "platform": platform.platform(),
           "machine": platform.machine(), "cpu_count": os.cpu_count(), "libraries": {}}
    for name in _LIBRARIES:
        version, error = module_version(name)
        env["libraries"][name] = {"version": version, "error": error}
    env["libraries"]["tensorrt"] = _tensorrt_library()
    env["libraries"]["cuda-python"] = _cuda_python_library()
    for pip_name, module in OPTIONAL_LIBRARIES:
        version, error = module_version(module)
        env["libraries"][pip_name] = {"version": version, "error": error}
    if env["libraries"]["cv2"]["version"]:
        env["opencv_gstreamer"] = opencv_has_gstreamer()
    if env["libraries"]["onnxruntime"]["version"]:
        import onnxruntime
        env["onnxruntime_providers"] = list(onnxruntime.get_available_providers())
    env["cuda_device"] = cuda_device()
    env["l4t_release"] = read_l4t_release()
    env["jetson_model"] = jetson_model() if env["l4t_release"] else None
    return env



_GPU_DEVFREQ = ("gpu", "gv11b", "ga10b", "gp10b", "gm20b")


def _read(path):
    try:
        with open(path) as handle:
            return handle.read().strip().rstrip("\x00")
    except (IOError, OSError, UnicodeDecodeError):
        return None


def _command(args, timeout=5):
    try:
        return subprocess.check_output(args, stderr=subprocess.STDOUT, timeout=timeout,
                                       universal_newlines=True).strip()
    except (OSError, subprocess.SubprocessError):
        return None


def _cpu_model():
    info = _read("/proc/cpuinfo") or ""
    for key in ("model name", "Hardware", "Model", "cpu model"):
        match = re.search(r"^{}\s*:\s*(.+)$".format(key), info, re.M)
        if match:
            return match.group(1).strip()
    return platform.processor() or platform.machine()


def read_power_mode():
    """The ``nvpmodel -q`` power mode name (e.g. "MAXN"), or None without nvpmodel."""
    text = _command(["nvpmodel", "-q"])
    if not text:
        return None
    match = re.search(r"NV Power Mode:\s*(\S+)", text)
    return match.group(1) if match else text.splitlines()[0]


def _devfreq_pinned(folder):
    low, high = _read(os.path.join(folder, "min_freq")), _read(os.path.join(folder, "max_freq"))
    return None if low is None or high is None else low == high


def read_clock_state(root="/sys"):
    """Whether CPU (and Jetson GPU) clocks are pinned: min == max frequency everywhere.

    ``jetson_clocks`` sets exactly that; reading sysfs needs no root, unlike
    ``jetson_clocks --show``. Returns ``{"cpu_pinned", "cpu_governors", "gpu_pinned"}``.
    """
    cpu_dirs = sorted(glob.glob(os.path.join(root, "devices/system/cpu/cpu[0-9]*/cpufreq")))
    pinned = [_read(os.path.join(d, "scaling_min_freq")) == high for d, high in
              ((d, _read(os.path.join(d, "scaling_max_freq"))) for d in cpu_dirs)
              if high is not None]
    governors = sorted(set(g for g in (_read(os.path.join(d, "scaling_governor"))
                                       for d in cpu_dirs) if g))
    gpu = [_devfreq_pinned(d) for d in sorted(glob.glob(os.path.join(root, "class/devfreq/*")))
           if any(key in os.path.basename(d) for key in _GPU_DEVFREQ)]
    gpu = [g for g in gpu if g is not None]
    return {"cpu_pinned": all(pinned) if pinned else None, "cpu_governors": governors,
            "gpu_pinned": all(gpu) if gpu else None}


def _version_or_problem(name):
    version, error = module_version(name)
    return version if version or error == "not installed" else "unusable ({})".format(error)


def _backend_versions():
    from .backends import BACKENDS, get_backend
    versions = {}
    for name, _ in BACKENDS:
        try:
            versions[name] = get_backend(name).version()
        except Exception as exc:  # same: record, don't fail
            versions[name] = "unusable ({})".format(type(exc).__name__)
    return versions


def _gpu_names():
    model = jetson_model()
    if model and "jetson" in model.lower():
        return [model]
    text = _command(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"])
    return [line.strip() for line in text.splitlines() if line.strip()] if text else []


def record_environment():
    """A JSON-ready dict describing the machine and software a benchmark ran with."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    env = {
        "hostname": platform.node(), "platform": platform.platform(),
        "cpu": _cpu_model(), "cpu_cores": os.cpu_count(), "cpu_cores_usable": usable,
        "gpus": _gpu_names(), "python": sys.version.split()[0],
        "numpy": _version_or_problem("numpy"), "opencv": _version_or_problem("cv2"),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
    env.update(_backend_versions())
    env["torch"] = env.pop("pytorch", None)
    l4t = read_l4t_release()
    env["jetson"] = None if l4t is None else {
        "model": jetson_model(), "l4t": l4t,
        "power_mode": read_power_mode(), "clocks": read_clock_state()}
    if l4t is None:
        env["clocks"] = read_clock_state()
    return env

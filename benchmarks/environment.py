"""What a benchmark ran on: CPU, GPU, library versions; on a Jetson: release, power mode, clocks.

Stdlib only (library versions are read without importing torch). Every probe is best effort: a
missing file or tool gives None, never an error, so the record works on any Linux machine.
"""

import glob
import logging
import os
import platform
import re
import subprocess
import sys

from linknet_edge.runtime.environment import jetson_model, module_version, read_l4t_release

__all__ = ["record_environment", "read_power_mode", "read_clock_state"]

logger = logging.getLogger(__name__)

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


def _module_version(name):
    version, error = module_version(name)
    return version if version or error == "not installed" else "unusable ({})".format(error)


def _backend_versions():
    from linknet_edge.runtime.backends import BACKENDS, get_backend
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
        "numpy": _module_version("numpy"), "opencv": _module_version("cv2"),
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

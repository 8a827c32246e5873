"""Which GPU this is: ``(name, compute capability)``, for the sidecar and the precision rules.

Through pycuda or cuda-python (``cuda.api()``) where one is installed; else nvidia-smi (x86), or
on a Jetson its L4T release file and device tree (``/proc/device-tree/compatible`` names the
chip), so ``build --trtexec`` needs no CUDA binding. The fallback names are those CUDA reports
for each Tegra chip, so an engine built that way loads under pycuda or cuda-python.
"""

import shutil
import subprocess

from linknet_edge.errors import BackendUnavailable, first_line

from .cuda import INSTALL_HINT, api, flavour

__all__ = ["describe_gpu", "gpu_identity", "tegra_identity", "TEGRA_GPUS"]

#: device-tree chip -> (the name CUDA reports, compute capability).
TEGRA_GPUS = {"tegra210": ("NVIDIA Tegra X1", "5.3"), "tegra186": ("NVIDIA Tegra X2", "6.2"),
              "tegra194": ("Xavier", "7.2"), "tegra234": ("Orin", "8.7")}


def _smi_identity(device):
    smi = shutil.which("nvidia-smi")
    if not smi:
        return None
    try:
        out = subprocess.check_output(
            [smi, "--query-gpu=name,compute_cap", "--format=csv,noheader", "-i", str(device)],
            stderr=subprocess.DEVNULL, universal_newlines=True, timeout=20)
        name, capability = [part.strip() for part in out.splitlines()[0].split(",")]
    except Exception:  # an old driver without compute_cap, no device, a timeout
        return None
    return (name, capability) if capability[:1].isdigit() else None


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("ascii", "replace")
    except (IOError, OSError):
        return None


def tegra_identity(release="/etc/nv_tegra_release",
                   compatible="/proc/device-tree/compatible"):
    """``(name, capability)`` of a Jetson's GPU from its L4T release file and device tree."""
    if _read(release) is None:
        return None
    chips = (_read(compatible) or "").replace("\x00", ",").split(",")
    for chip in chips:
        if chip.strip() in TEGRA_GPUS:
            return TEGRA_GPUS[chip.strip()]
    return None


def describe_gpu(device=0):
    """``{"name", "compute_capability", "via"}`` of a GPU: through pycuda or cuda-python, else
    nvidia-smi or a Jetson's device tree (enough for ``build --trtexec``); raises
    ``BackendUnavailable`` (one line) without a usable GPU."""
    problem = INSTALL_HINT
    if flavour() is not None:
        try:
            name, capability = api().identity(device)
            return {"name": name, "compute_capability": capability, "via": api().name}
        except Exception as exc:  # pycuda raises its own classes (LogicError, RuntimeError)
            problem = first_line(exc)
    for via, probe in (("nvidia-smi", lambda: _smi_identity(device)), ("l4t", tegra_identity)):
        found = probe()
        if found is not None:
            return {"name": found[0], "compute_capability": found[1], "via": via}
    raise BackendUnavailable("no usable CUDA GPU {} ({}); check the NVIDIA driver and that "
                             "this user may access /dev/nvidia* or /dev/nvhost*".format(
                                 device, problem))


def gpu_identity(device=0):
    """``(name, "major.minor")`` of a GPU, e.g. ``("NVIDIA Tegra X1", "5.3")``."""
    gpu = describe_gpu(device)
    return gpu["name"], gpu["compute_capability"]

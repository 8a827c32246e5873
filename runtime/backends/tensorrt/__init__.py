"""TensorRT backend (8.2 to 11.x): load a ``.engine`` with its sidecar and run it.

The public face of the one home of TensorRT code: ``is_available``, ``unavailable_reason``,
``version``, ``load``, ``TrtRunner``, and ``build_unavailable_reason`` (what building needs,
asked by ``build`` and ``doctor`` alike). Modules: ``versions`` (every piece of version
knowledge), ``api`` (the generation verbs), ``cuda`` (pycuda or cuda-python), ``gpu`` (which
GPU this is), ``sidecar`` (the ``.engine.json`` cache key), ``runner``. Running needs
TensorRT plus pycuda or cuda-python; building needs TensorRT and a GPU (a CUDA binding only to
calibrate INT8 from images), and ``build --trtexec`` only trtexec and a GPU.
"""

import importlib.util

from linknet_edge.errors import BackendUnavailable, ModelFileError
from linknet_edge.spec import ModelSpec

from . import api, cuda, gpu
from .runner import TrtRunner
from .sidecar import check_runtime_match, read_sidecar

__all__ = ["is_available", "unavailable_reason", "tensorrt_problem", "build_unavailable_reason",
           "version", "load", "TrtRunner", "INSTALL_HINT"]

INSTALL_HINT = ("the TensorRT Python module is not installed: on a Jetson it comes with JetPack "
                "(sudo apt install python3-libnvinfer), on x86 `pip install "
                "tensorrt-cu12==10.16.1.11` (a CUDA 12 build; TensorRT 11 needs CUDA 13) or "
                "NVIDIA's TensorRT container")


def tensorrt_problem():
    """Why ``tensorrt`` is unusable ("not installed" vs "installed but cannot load"), or None."""
    if importlib.util.find_spec("tensorrt") is None:
        return INSTALL_HINT
    return api.load_problem()


def unavailable_reason():
    """Why engines cannot run here, or None: TensorRT must import and pycuda or cuda-python be
    installed. Imports ``tensorrt`` (not CUDA) to tell a broken install from a missing one."""
    problems = [p for p in (tensorrt_problem(), cuda.unavailable_reason()) if p]
    return "; ".join(problems) or None


def is_available():
    return unavailable_reason() is None


def build_unavailable_reason(trtexec=None):
    """Why ``build`` cannot run here, or None: a TensorRT that loads (or, given the path of a
    ``trtexec`` executable, that alone) and a GPU whose identity can be read (pycuda,
    cuda-python, nvidia-smi or the Jetson device tree). INT8 calibration from images also needs
    pycuda or cuda-python; ``build`` says so when asked for it."""
    reason = None if trtexec else tensorrt_problem()
    if reason:
        return reason
    try:
        gpu.gpu_identity()
    except BackendUnavailable as exc:
        return str(exc)
    return None


def version():
    """The installed TensorRT version string, or None where it is missing or cannot load."""
    if tensorrt_problem() is not None:
        return None
    return api.capabilities().version_text


def load(path, spec=None, device=0):
    """A ``TrtRunner`` for ``path``; refuses an engine built for another TensorRT or GPU.

    ``spec``, if given, must match the engine's (architecture and classes).
    """
    reason = unavailable_reason()
    if reason:
        raise BackendUnavailable("cannot run {}: {}".format(path, reason))
    sidecar = read_sidecar(path)
    engine_spec = ModelSpec.from_dict(sidecar["spec"], source=str(path) + ".json")
    if spec is not None:
        spec.check_compatible(engine_spec, what=str(path))
    gpu_name = gpu.gpu_identity(device)[0]
    check_runtime_match(path, sidecar, api.capabilities().version_text, gpu_name)
    try:
        with open(path, "rb") as handle:
            plan = handle.read()
    except (IOError, OSError) as exc:
        raise ModelFileError("{}: cannot read the engine ({})".format(path, exc.strerror or exc))
    return TrtRunner(path, plan, engine_spec, sidecar["precision"], device=device)


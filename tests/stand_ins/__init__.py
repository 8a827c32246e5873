"""STAND-INS for TensorRT, pycuda and cuda-python (none runs here), the fixture that installs
them, and a tiny real ONNX model to build from. Tests that use them have ``stand_in`` in their
names.

``site_tensorrt/`` (generated from the real surfaces in ``surfaces/``), ``site_pycuda/``,
``site_cuda_python/`` (``cuda.bindings.runtime``) and ``site_cuda_python_old/`` (``cuda.cudart``)
hold the stand-in packages over one stand-in GPU (``device``). They are put on ``sys.path`` only
inside a test, after clearing cached modules and the project's TensorRT/CUDA caches.
"""

import importlib
import os
import sys

import pytest

__all__ = ["SITES", "FLAVOURS", "CUDA_FLAVOURS", "stand_in", "install_stand_ins",
           "stand_in_path"]

HERE = os.path.dirname(os.path.abspath(__file__))
SITES = {"tensorrt": os.path.join(HERE, "site_tensorrt"),
         "pycuda": os.path.join(HERE, "site_pycuda"),
         "cuda-python": os.path.join(HERE, "site_cuda_python"),
         "cuda-python-old": os.path.join(HERE, "site_cuda_python_old")}
#: generation -> the version string its stand-in reports (its surface is that release's)
FLAVOURS = {"8.2": "8.2.1.8", "8.6": "8.6.1.6", "10.3": "10.3.0.26", "10.16": "10.16.1.11",
            "11.4": "11.4.0.106"}
#: CUDA binding -> the module the project will import
CUDA_FLAVOURS = {"pycuda": "pycuda.driver", "cuda-python": "cuda.bindings.runtime",
                 "cuda-python-old": "cuda.cudart", None: None}


def _forget_modules():
    for name in list(sys.modules):
        if name.split(".")[0] in ("tensorrt", "pycuda", "cuda"):
            del sys.modules[name]
    from linknet_edge.runtime.backends.tensorrt import api, cuda
    api.reset()
    cuda.reset()


def stand_in_path(cuda="pycuda", tensorrt=True):
    """The site folders a subprocess needs on PYTHONPATH (with the repository root)."""
    return ([SITES["tensorrt"]] if tensorrt else []) + ([SITES[cuda]] if cuda else [])


def install_stand_ins(monkeypatch, trt_version="8.2.1.8", gpu="NVIDIA Tegra X1", cc="5.3",
                      cuda="pycuda", no_cuda=False):
    """Make ``import tensorrt`` (None: leave it missing) and the CUDA binding ``cuda`` ("pycuda",
    "cuda-python", "cuda-python-old", None) give the stand-ins of this flavour and GPU; returns
    ``(tensorrt module or None, CUDA binding module or None)``."""
    from tests.stand_ins import device, surfaced
    _forget_modules()
    monkeypatch.setenv("LINKNET_EDGE_STAND_IN_TRT", trt_version or "")
    monkeypatch.setenv("LINKNET_EDGE_STAND_IN_GPU", "{}|{}".format(gpu, cc))
    monkeypatch.setenv("LINKNET_EDGE_STAND_IN_NO_CUDA", "1" if no_cuda else "0")
    path = [p for p in sys.path if p not in SITES.values()]
    monkeypatch.setattr(sys, "path", stand_in_path(cuda, bool(trt_version)) + path)
    importlib.invalidate_caches()
    device.MEMORY.clear()
    device.PINNED.clear()
    surfaced.USED.clear()
    trt = importlib.import_module("tensorrt") if trt_version else None
    binding = importlib.import_module(CUDA_FLAVOURS[cuda]) if cuda else None
    return trt, binding


@pytest.fixture
def stand_in(monkeypatch):
    """``install(trt_version, gpu, cc, cuda, no_cuda)`` -> (tensorrt, CUDA binding) stand-ins;
    callable again within a test to switch TensorRT version, GPU or binding. Cleared after."""
    def install(trt_version="8.2.1.8", gpu="NVIDIA Tegra X1", cc="5.3", cuda="pycuda",
                no_cuda=False):
        return install_stand_ins(monkeypatch, trt_version, gpu, cc, cuda, no_cuda)
    yield install
    _forget_modules()

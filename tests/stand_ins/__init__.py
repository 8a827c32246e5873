"""STAND-INS for TensorRT and pycuda (neither runs here), the fixture that installs them, and a
tiny real ONNX model to build from. Tests that use them have ``stand_in`` in their names.

``site/`` holds the stand-in packages; it is put on ``sys.path`` only inside a test (through
``monkeypatch``), after clearing any cached ``tensorrt``/``pycuda`` modules and the version and
capability caches of ``runtime.backends._trt_api``.
"""

import os
import sys

import pytest

__all__ = ["SITE", "FLAVOURS", "stand_in", "install_stand_ins"]

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site")
#: generation -> the version string its stand-in reports
FLAVOURS = {"8.2": "8.2.1.8", "8.6": "8.6.1.6", "10.3": "10.3.0.26"}


def _forget_modules():
    for name in list(sys.modules):
        if name.split(".")[0] in ("tensorrt", "pycuda"):
            del sys.modules[name]


def install_stand_ins(monkeypatch, trt_version="8.2.1.8", gpu="NVIDIA Tegra X1", cc="5.3"):
    """Make ``import tensorrt`` / ``pycuda.driver`` give the stand-ins of this flavour and GPU."""
    from linknet_edge.runtime.backends import _trt_api
    _forget_modules()
    monkeypatch.setenv("LINKNET_EDGE_STAND_IN_TRT", trt_version)
    monkeypatch.setenv("LINKNET_EDGE_STAND_IN_GPU", "{}|{}".format(gpu, cc))
    if SITE not in sys.path:
        monkeypatch.syspath_prepend(SITE)
    for cache in ("_MODULE", "_CAPS", "_LOGGER"):
        monkeypatch.setattr(_trt_api, cache, [])
    import pycuda.driver
    import tensorrt
    return tensorrt, pycuda.driver


@pytest.fixture
def stand_in(monkeypatch):
    """``install(trt_version, gpu, cc)`` -> (tensorrt, pycuda.driver) stand-ins; callable again
    within a test to switch TensorRT version or GPU. Cleared after the test."""
    def install(trt_version="8.2.1.8", gpu="NVIDIA Tegra X1", cc="5.3"):
        return install_stand_ins(monkeypatch, trt_version, gpu, cc)
    yield install
    _forget_modules()

"""Skip markers that depend only on this machine, each with its reason."""

import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: The real data beside the project (never copied into it).
DATA_ROOT = os.environ.get("LINKNET_EDGE_DATA", os.path.join(ROOT, "..", "shared", "data"))


def _has(module):
    return importlib.util.find_spec(module) is not None


def _cuda():
    if not _has("torch"):
        return False
    import torch
    return torch.cuda.is_available()


requires_torch = pytest.mark.skipif(not _has("torch"), reason="PyTorch is not installed")
requires_onnx = pytest.mark.skipif(not _has("onnx"), reason="onnx is not installed")
requires_onnxruntime = pytest.mark.skipif(not _has("onnxruntime"),
                                          reason="ONNX Runtime is not installed")
def _cuda_binding():
    from linknet_edge.runtime.backends.tensorrt.cuda import flavour
    return flavour() is not None


requires_tensorrt = pytest.mark.skipif(not (_has("tensorrt") and _cuda_binding()),
                                       reason="TensorRT and pycuda or cuda-python are not "
                                              "installed")
requires_cuda = pytest.mark.skipif(not _cuda(), reason="no CUDA GPU")
requires_data = pytest.mark.skipif(not os.path.isdir(os.path.join(DATA_ROOT, "camvid")),
                                   reason="real data not found at ../shared/data")
slow = pytest.mark.slow


def data_path(*parts):
    """A path inside ../shared/data."""
    return os.path.join(DATA_ROOT, *parts)

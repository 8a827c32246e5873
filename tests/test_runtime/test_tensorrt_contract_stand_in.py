"""The TensorRT backend behind the shared runner contract, on the TensorRT/pycuda STAND-INS.

The engine is built from the tiny real LinkNet's ONNX export; the stand-in executes that ONNX
with ONNX Runtime, so agreement with the PyTorch reference checks our buffer and binding
plumbing for both API generations (not TensorRT's numerics).
"""

import pytest

from tests.markers import requires_onnxruntime, requires_torch
from tests.stand_ins import FLAVOURS, stand_in  # noqa: F401 (fixture)

from .backend_contract import BackendContract


@requires_torch
@requires_onnxruntime
class TestTensorrtBackendStandIn(BackendContract):
    backend_name = "tensorrt"

    @pytest.fixture(params=[("8.2", "logits"), ("10.3", "classes")], ids=["8.2-logits",
                                                                           "10.3-classes"])
    def model_path(self, request, stand_in, tmp_path, tiny_onnx, tiny_onnx_classes):
        flavour, output = request.param
        stand_in(FLAVOURS[flavour], "NVIDIA Jetson AGX Orin", "8.7")
        from linknet_edge.export.tensorrt import build_engine
        onnx_path = tiny_onnx if output == "logits" else tiny_onnx_classes
        return build_engine(onnx_path, str(tmp_path / "tiny.engine"), precision="fp16")

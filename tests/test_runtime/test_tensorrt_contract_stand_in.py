"""The TensorRT backend behind the shared runner contract, on the TensorRT and pycuda /
cuda-python STAND-INS.

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

    @pytest.fixture(params=[("8.2", "logits", "pycuda"), ("10.3", "classes", "pycuda"),
                            ("11.4", "classes", "cuda-python")],
                    ids=["8.2-logits-pycuda", "10.3-classes-pycuda", "11.4-classes-cuda-python"])
    def model_path(self, request, stand_in, tmp_path, tiny_onnx, tiny_onnx_classes):
        flavour, output, cuda = request.param
        stand_in(FLAVOURS[flavour], "NVIDIA Jetson AGX Orin", "8.7", cuda=cuda)
        from linknet_edge.export.tensorrt import build_engine
        onnx_path = tiny_onnx if output == "logits" else tiny_onnx_classes
        # fp16 is FP16 arithmetic on 11.x (an FP16 ONNX): compare numbers at fp32 there
        return build_engine(onnx_path, str(tmp_path / "tiny.engine"),
                            precision="fp32" if flavour == "11.4" else "fp16")

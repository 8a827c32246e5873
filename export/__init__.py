"""ONNX export and verification; reduced-precision ONNX; TensorRT engine building.

Importing this package pulls in no torch, onnx, onnxruntime or TensorRT: each public function
imports what it needs when called, so engine building works on a Jetson without torch.
"""

from .compat import CompatReport, check_tensorrt_compat
from .fp16 import convert_fp16
from .onnx import ExportReport, export_onnx
from linknet_edge.onnx_file import read_onnx_spec
from .precision import PrecisionReport, compare_precision, convert_precision
from .quantize import quantize_int8
from .verify import VerificationReport, verify_onnx

__all__ = [
    # ONNX export, verification, TensorRT 8.2 compatibility
    "export_onnx", "ExportReport", "read_onnx_spec", "verify_onnx", "VerificationReport",
    "check_tensorrt_compat", "CompatReport",
    # reduced precision ONNX, compared with FP32
    "convert_fp16", "quantize_int8", "convert_precision", "compare_precision", "PrecisionReport",
]

"""A real TensorRT engine from a tiny real ONNX model, compared with ONNX Runtime.

Runs only where TensorRT, pycuda or cuda-python, and a CUDA GPU exist (a Jetson or an NVIDIA GPU
machine).
"""

import numpy as np
import pytest

from tests.markers import requires_onnxruntime, requires_tensorrt
from tests.stand_ins.tiny_onnx import write_tiny_onnx


@requires_tensorrt
@requires_onnxruntime
@pytest.mark.parametrize("with_classes", [True, False])
def test_real_engine_agrees_with_onnxruntime(tmp_path, with_classes):
    import onnxruntime
    from linknet_edge.runtime.backends.tensorrt.gpu import gpu_identity
    try:
        gpu_identity()
    except Exception as exc:  # a CUDA binding present but no usable GPU/driver
        pytest.skip("no usable CUDA GPU: {}".format(exc))
    from linknet_edge.export.tensorrt import build_engine
    from linknet_edge.runtime.backends import tensorrt as backend
    onnx_path = write_tiny_onnx(tmp_path / "tiny.onnx", with_classes=with_classes)
    engine = build_engine(onnx_path, precision="fp32", workspace_mib=64)
    batch = np.random.RandomState(0).randn(2, 3, 64, 64).astype(np.float32)
    session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    logits = np.concatenate([session.run(["logits"], {"input": batch[i:i + 1]})[0]
                             for i in range(2)])
    with backend.load(engine) as runner:
        np.testing.assert_allclose(runner.run_logits(batch), logits, rtol=1e-3, atol=1e-3)
        agreement = float(np.mean(runner.run(batch) == np.argmax(logits, axis=1)))
    assert agreement > 0.999
    assert build_engine(onnx_path, precision="fp32", workspace_mib=64, rebuild="never") == engine

"""Deployment configs from the same artifacts: DeepStream (nvinfer + deepstream-app) and a
Triton model repository, each written from what the ONNX file or engine sidecar says.

``deepstream.write_deepstream`` and ``triton.write_triton_repository`` are the Python API of
``linknet-edge deploy deepstream|triton``; ``artifact.read_artifact`` reads a model's facts.
"""

__all__ = []

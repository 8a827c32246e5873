"""On-device inference: backends, video sources and sinks, overlay and the live pipeline.

Imports numpy, OpenCV and the chosen backend only; never torch unless the PyTorch backend loads.
"""

# Submodules are imported by name (runtime.pipeline, runtime.video.sources, ...) so that
# importing ``linknet_edge.runtime`` stays light and never loads OpenCV, a backend library or torch.
__all__ = []

"""On-device inference: backends, video sources and sinks, overlay and the live pipeline.

Imports numpy, OpenCV and the chosen backend only; never torch unless the PyTorch backend loads.
"""

"""LinkNet-Edge: LinkNet from workstation training to TensorRT on Jetson."""

__version__ = "0.1.0"

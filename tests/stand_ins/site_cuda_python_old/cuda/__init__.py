"""STAND-IN for cuda-python before 12.6 (only ``cuda.cudart``, no ``cuda.bindings``)."""

__version__ = "12.2.0"

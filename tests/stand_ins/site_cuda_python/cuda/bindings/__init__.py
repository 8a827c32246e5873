"""STAND-IN for ``cuda.bindings`` (cuda-bindings 13). Not cuda-python."""

__version__ = "13.5.0"

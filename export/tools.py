"""The Python packages that write each reduced-precision ONNX file, asked before any work."""

from linknet_edge.errors import BackendUnavailable, first_line

__all__ = ["TOOLS", "missing_tools", "require_tools"]

#: precision -> (import name, pip name) of every package that writing it needs
TOOLS = {"fp16": (("onnx", "onnx"), ("onnxconverter_common", "onnxconverter-common")),
         "int8": (("onnx", "onnx"), ("onnxruntime", "onnxruntime"))}


def missing_tools(precision):
    """None, or "PIP-NAME (pip install PIP-NAME; the import error)" for the first package that
    writing ``precision`` needs and this Python cannot import."""
    for module, pip_name in TOOLS.get(precision, ()):
        try:
            __import__(module)
        except ImportError as exc:
            return "{0} (pip install {0}; {1})".format(pip_name, first_line(exc))
    return None


def require_tools(precision, what):
    """Raise ``BackendUnavailable`` ("WHAT needs PIP-NAME (pip install ...)") if one is missing."""
    missing = missing_tools(precision)
    if missing:
        raise BackendUnavailable("{} needs {}".format(what, missing))

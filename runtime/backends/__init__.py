"""Inference backends behind one interface, chosen by name or by model file suffix.

Every backend module offers ``is_available()``, ``unavailable_reason()``, ``version()`` and
``load(path, **options)`` returning a runner. Availability is decided without importing the
library (``importlib.util.find_spec``) so that asking never pulls in torch or CUDA; TensorRT's
module is imported (it starts no CUDA) to tell a broken install from a missing one.
"""

import importlib
import os

from linknet_edge.errors import BackendUnavailable, LinkNetEdgeError

__all__ = ["BACKENDS", "SUFFIXES", "get_backend", "is_available", "backend_for_path",
           "load_model", "describe_backends"]

#: name -> module path, in the order ``doctor`` and ``bench`` list them.
BACKENDS = (
    ("tensorrt", "linknet_edge.runtime.backends.tensorrt"),
    ("onnxruntime", "linknet_edge.runtime.backends.onnxruntime"),
    ("pytorch", "linknet_edge.runtime.backends.pytorch"),
)

#: model file suffix -> backend name.
SUFFIXES = {".engine": "tensorrt", ".plan": "tensorrt", ".trt": "tensorrt",
            ".onnx": "onnxruntime", ".pt": "pytorch", ".pth": "pytorch"}


def get_backend(name):
    """The backend module for ``name``; an unknown name lists the choices."""
    modules = dict(BACKENDS)
    if name not in modules:
        import difflib
        close = difflib.get_close_matches(name, modules, n=1)
        raise LinkNetEdgeError("unknown backend {!r}{}; choose from {}".format(
            name, " (did you mean {!r}?)".format(close[0]) if close else "",
            ", ".join(modules)))
    return importlib.import_module(modules[name])


def is_available(name):
    """True if the backend's libraries are installed (without importing them)."""
    return get_backend(name).is_available()


def backend_for_path(path):
    """The backend that runs a model file, from its suffix."""
    suffix = os.path.splitext(str(path))[1].lower()
    if suffix not in SUFFIXES:
        raise BackendUnavailable("{}: cannot tell the backend from suffix {!r}; name one of {} "
                                 "or use a file ending in {}".format(
                                     path, suffix, ", ".join(n for n, _ in BACKENDS),
                                     ", ".join(sorted(SUFFIXES))))
    return SUFFIXES[suffix]


def load_model(path, backend=None, **options):
    """A runner for the model file at ``path``; the backend comes from the suffix unless named.

    ``options`` go to the backend's ``load`` (e.g. ``providers=`` for onnxruntime, ``device=``
    for pytorch).
    """
    name = backend or backend_for_path(path)
    module = get_backend(name)
    if not module.is_available():
        raise BackendUnavailable("{}: backend {} is not available: {}".format(
            path, name, module.unavailable_reason()))
    return module.load(str(path), **options)


def describe_backends():
    """One dict per backend: ``name``, ``available``, ``version``, ``reason`` (None if usable)."""
    rows = []
    for name, _ in BACKENDS:
        try:
            module = get_backend(name)
        except ImportError as exc:
            rows.append({"name": name, "available": False, "version": None,
                         "reason": "backend module missing ({})".format(exc)})
            continue
        available = bool(module.is_available())
        rows.append({"name": name, "available": available,
                     "version": module.version() if available else None,
                     "reason": None if available else module.unavailable_reason()})
    return rows

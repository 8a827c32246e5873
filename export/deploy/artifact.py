"""What a deployment config needs from a model file, read without TensorRT or onnx.

An ONNX file's spec, input and outputs come from the file itself (``linknet_edge.onnx_file``);
an engine's from its ``.engine.json`` sidecar (``io``, written by ``linknet-edge build``), since
the plan is opaque without TensorRT. Stdlib only.
"""

import os

from linknet_edge.errors import DeployError, ModelFileError
from linknet_edge.onnx_file import OnnxTensor, read_onnx_info
from linknet_edge.spec import ModelSpec

__all__ = ["Artifact", "read_artifact", "ENGINE_SUFFIXES"]

ENGINE_SUFFIXES = (".engine", ".plan", ".trt")


class Artifact(object):
    """``path``, ``kind`` ("onnx" or "engine"), ``spec``, ``precision`` ("fp32"/"fp16"/
    "int8"), ``input`` and ``outputs`` (``OnnxTensor``: name, dtype, shape with -1 where
    dynamic), ``batch`` (the static batch, None when dynamic) and ``input_form``."""

    def __init__(self, path, kind, spec, precision, inputs, outputs):
        self.path, self.kind, self.spec, self.precision = path, kind, spec, precision
        self.input, self.outputs = inputs[0], list(outputs)
        first = self.input.shape[0] if self.input.shape else -1
        self.batch = first if first > 0 else None

    @property
    def input_form(self):
        """How the network takes frames (``linknet_edge.spec.INPUT_FORMS``): "uint8" (camera
        images, NHWC BGR), "raw" (NCHW float RGB 0-255) or "float" (NCHW, normalised on the
        host as the spec says), from the spec's ``input_form``."""
        return self.spec.input_form

    @property
    def name(self):
        """A model name from the file name: letters, digits, ``_`` and ``-`` only."""
        stem = os.path.splitext(os.path.basename(self.path))[0]
        clean = "".join(c if c.isalnum() or c in "_-" else "_" for c in stem)
        return clean or "linknet"

    def output(self, name):
        return next((o for o in self.outputs if o.name == name), None)


def _tensors(records, path, what):
    try:
        return [OnnxTensor(r["name"], r["dtype"], r["shape"]) for r in records]
    except (KeyError, TypeError, ValueError):
        raise DeployError("{}: its sidecar's {} list is malformed; rebuild the engine with "
                          "`linknet-edge build ... --rebuild`".format(path, what))


def read_artifact(path):
    """The ``Artifact`` of an ``.onnx`` file or an engine (``.engine``/``.plan``/``.trt``
    with its sidecar); a one-line error for anything else."""
    path = str(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".onnx":
        info = read_onnx_info(path)
        return Artifact(path, "onnx", info.spec, info.precision, info.inputs, info.outputs)
    if suffix not in ENGINE_SUFFIXES:
        raise DeployError("{}: deploy takes an .onnx file or a TensorRT engine ({}); export a "
                          "checkpoint first with `linknet-edge export`".format(
                              path, "/".join(ENGINE_SUFFIXES)))
    if not os.path.isfile(path):
        raise ModelFileError("{}: no such engine file".format(path))
    from linknet_edge.runtime.backends.tensorrt.sidecar import read_sidecar, sidecar_path
    sidecar = read_sidecar(path)
    io = sidecar.get("io")
    if not isinstance(io, dict):
        raise DeployError("{}: its sidecar {} does not list the engine's inputs and outputs "
                          "(built by an older linknet-edge); rebuild it with `linknet-edge build "
                          "MODEL.onnx -o {} --rebuild`".format(
                              path, os.path.basename(sidecar_path(path)), path))
    spec = ModelSpec.from_dict(sidecar["spec"], source=sidecar_path(path))
    inputs = _tensors(io.get("inputs"), path, "inputs")
    if not inputs:
        raise DeployError("{}: its sidecar lists no input".format(path))
    return Artifact(path, "engine", spec, sidecar["precision"], inputs,
                    _tensors(io.get("outputs"), path, "outputs"))

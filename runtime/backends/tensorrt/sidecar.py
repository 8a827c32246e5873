"""The ``X.engine.json`` sidecar: what an engine was built from, with, and for. Stdlib only.

The plan file stays plain (trtexec and DeepStream load it); this sidecar carries the model
spec and the build facts. The builder uses it as its cache key; the runtime uses it to refuse
an engine built for another TensorRT version or GPU (TensorRT would fail, or worse).

``build_route`` says how the precision was obtained (``ROUTES``) and ``built_onnx_sha256`` which
ONNX file was parsed (a converted FP16/Q-DQ sibling on TensorRT 11); sidecars written before
they existed read as the builder-flags route over the given ONNX, so they stay valid.
"""

import json
import os

from linknet_edge.atomic import write_json_atomic
from linknet_edge.errors import SpecError, SpecMismatch

from .versions import parse_version

__all__ = ["SIDECAR_KEYS", "CACHE_KEYS", "ROUTES", "sidecar_path", "read_sidecar",
           "write_sidecar", "sidecar_differences", "check_runtime_match", "io_record"]

SIDECAR_KEYS = ("spec", "tensorrt_version", "gpu_name", "compute_capability", "precision",
                "input_shape", "workspace_mib", "onnx_sha256", "calibration_sha256")

#: how the engine got its precision: TensorRT's builder flags (8.x-10.x; INT8 calibrated from
#: images) over an FP32 ONNX, the flags over an FP16 or Q/DQ ONNX, or a strongly typed network
#: whose precision is the ONNX graph's (TensorRT 11 has no precision flags).
ROUTES = ("builder-flags", "builder-flags-fp16-onnx", "builder-flags-qdq-onnx",
          "strongly-typed-fp32-onnx", "strongly-typed-fp16-onnx", "strongly-typed-qdq-onnx")
#: keys added after the first release, and what a sidecar without them means.
_LATER_KEYS = (("build_route", lambda data: "builder-flags"),
               ("built_onnx_sha256", lambda data: data.get("onnx_sha256")))

#: keys whose change makes a cached engine stale, with the words used to explain it.
CACHE_KEYS = (
    ("onnx_sha256", "ONNX file"),
    ("tensorrt_version", "TensorRT version"),
    ("gpu_name", "GPU"),
    ("compute_capability", "compute capability"),
    ("precision", "precision"),
    ("calibration_sha256", "INT8 calibration cache"),
    ("workspace_mib", "workspace (MiB)"),
    ("build_route", "build route"),
    ("built_onnx_sha256", "ONNX file built"),
)


def io_record(info):
    """The ``io`` entry of a sidecar: the engine's inputs and outputs as the ONNX file
    (``linknet_edge.onnx_file.OnnxInfo``) it was built from declares them, each
    ``{"name", "dtype", "shape"}``, so a deployment config can be written without TensorRT."""
    def records(tensors):
        return [{"name": t.name, "dtype": t.dtype, "shape": list(t.shape)} for t in tensors]
    return {"inputs": records(info.inputs), "outputs": records(info.outputs)}


def sidecar_path(engine_path):
    """``model.engine`` -> ``model.engine.json``."""
    return str(engine_path) + ".json"


def read_sidecar(engine_path):
    """The sidecar as a dict; ``SpecError`` if it is missing, unreadable or lacks keys."""
    path = sidecar_path(engine_path)
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (IOError, OSError) as exc:
        raise SpecError("{}: no readable sidecar {} ({}); build the engine with `linknet-edge "
                        "build` so its spec and build facts travel with it".format(
                            engine_path, os.path.basename(path), exc.strerror or exc))
    except ValueError as exc:
        raise SpecError("{}: sidecar is not valid JSON ({})".format(path, exc))
    missing = [key for key in SIDECAR_KEYS if not isinstance(data, dict) or key not in data]
    if missing:
        raise SpecError("{}: sidecar lacks {}; rebuild the engine with `linknet-edge build`".format(
            path, ", ".join(missing)))
    for key, default in _LATER_KEYS:
        if key not in data:
            data[key] = default(data)
    return data


def write_sidecar(engine_path, data):
    """Write the sidecar atomically (temp file, then rename)."""
    return write_json_atomic(sidecar_path(engine_path), data)


def _shown(value):
    if value is None:
        return "none"
    text = str(value)
    return text[:12] if len(text) == 64 else text  # sha256: the first 12 hex digits do


def sidecar_differences(found, wanted):
    """Cache keys whose values differ, as phrases like ``precision fp32 -> fp16``."""
    return ["{} {} -> {}".format(words, _shown(found.get(key)), _shown(wanted.get(key)))
            for key, words in CACHE_KEYS if found.get(key) != wanted.get(key)]


def check_runtime_match(engine_path, sidecar, trt_version_text, gpu_name):
    """Raise ``SpecMismatch`` unless the engine was built for this TensorRT version and GPU.

    Versions compare on the parts both give: trtexec reports three (8.2.1), Python four.
    """
    built, here = parse_version(sidecar["tensorrt_version"]), parse_version(trt_version_text)
    common = min(len(built), len(here))
    same_version = common >= 3 and built[:common] == here[:common]
    if same_version and sidecar["gpu_name"] == gpu_name:
        return
    raise SpecMismatch(
        "{} was built for TensorRT {} on {}, this is TensorRT {} on {}; rebuild with "
        "`linknet-edge build MODEL.onnx -o {} --precision {}` on this machine".format(
            os.path.basename(str(engine_path)), sidecar["tensorrt_version"], sidecar["gpu_name"],
            trt_version_text, gpu_name, engine_path, sidecar["precision"]))

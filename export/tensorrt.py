"""Build a TensorRT engine from a linknet-edge ONNX file, on the device that will run it.

Writes the plain serialized plan (nothing prepended: trtexec and DeepStream load it) and the
``.engine.json`` sidecar (``runtime.backends.engine_sidecar``), which is also the cache key: an
engine whose ONNX file, TensorRT version, GPU, precision, calibration cache or workspace
changed is rebuilt (``rebuild="auto"``) or refused (``"never"``), never silently used.

Precision rules (a request the GPU cannot honour is refused, never downgraded):
- FP16 needs fast FP16: compute capability 5.3 (TX1, Nano), 6.0, 6.2 (TX2) or 7.0+.
- INT8 needs DP4A/tensor cores: 6.1 or 7.0+ (Xavier 7.2, Orin 8.7). TX1/Nano and TX2 get FP16.
"""

import hashlib
import logging
import os

from linknet_edge.atomic import atomic_path, write_atomic
from linknet_edge.errors import BackendUnavailable, EngineBuildError, SpecError, SpecMismatch

from linknet_edge.runtime.backends import _trt_api
from linknet_edge.runtime.backends.engine_sidecar import (io_record, read_sidecar,
                                                          sidecar_differences, sidecar_path,
                                                          write_sidecar)

__all__ = ["PRECISIONS", "REBUILD_MODES", "build_engine", "check_precision", "has_fast_fp16",
           "file_sha256"]

logger = logging.getLogger(__name__)

PRECISIONS = ("fp32", "fp16", "int8")
REBUILD_MODES = ("auto", "never", "always")

_FAST_FP16 = ((5, 3), (6, 0), (6, 2))
_BOARDS = {(5, 3): "TX1/Nano", (6, 2): "TX2", (7, 2): "Xavier", (8, 7): "Orin"}


def _capability(text):
    return tuple(int(v) for v in str(text).split("."))


def has_fast_fp16(compute_capability):
    cc = _capability(compute_capability)
    return cc in _FAST_FP16 or cc >= (7, 0)


def check_precision(precision, gpu_name, compute_capability):
    """Raise ``EngineBuildError`` if this GPU cannot run ``precision`` at speed."""
    cc = _capability(compute_capability)
    board = " ({})".format(_BOARDS[cc]) if cc in _BOARDS else ""
    where = "{}{}, compute capability {}".format(gpu_name, board, compute_capability)
    if precision not in PRECISIONS:
        raise EngineBuildError("unknown precision {!r}; choose from {}".format(
            precision, ", ".join(PRECISIONS)))
    if precision == "int8" and not (cc == (6, 1) or cc >= (7, 0)):
        raise EngineBuildError("INT8 needs compute capability 6.1 or 7.0+ and {} has no fast "
                               "INT8; build with --precision fp16".format(where))
    if precision == "fp16" and not has_fast_fp16(compute_capability):
        raise EngineBuildError("{} has no fast FP16 (an FP16 engine would be slower than FP32); "
                               "build with --precision fp32{}".format(
                                   where, " or int8" if cc == (6, 1) else ""))


def file_sha256(path):
    """Hex sha256 of a file, or None if there is no file."""
    if not path or not os.path.isfile(path):
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cache_decision(engine_path, wanted, rebuild):
    """True to reuse the existing engine; False to build; SpecMismatch for a stale one + never."""
    if rebuild == "always" or not os.path.isfile(engine_path):
        if rebuild == "never" and not os.path.isfile(engine_path):
            raise SpecMismatch("{}: no engine to reuse (--no-rebuild); build it without "
                               "--no-rebuild".format(engine_path))
        return False
    try:
        found = read_sidecar(engine_path)
    except SpecError as exc:
        differences = ["sidecar unusable ({})".format(exc)]
    else:
        differences = sidecar_differences(found, wanted)
    if not differences:
        logger.info("%s: up to date (same ONNX, TensorRT, GPU, precision, calibration); reused",
                    engine_path)
        return True
    if rebuild == "never":
        raise SpecMismatch("{} is stale: {}; rebuild without --no-rebuild".format(
            engine_path, "; ".join(differences)))
    logger.info("%s: rebuilding: %s", engine_path, "; ".join(differences))
    return False


def _parse(network, onnx_path):
    parser = _trt_api.trt().OnnxParser(network, _trt_api.logger())
    with open(onnx_path, "rb") as handle:
        parsed = parser.parse(handle.read())
    errors = [str(parser.get_error(i)).strip() for i in range(parser.num_errors)]
    if not parsed or errors:
        raise EngineBuildError("{}: TensorRT {} cannot parse it: {}".format(
            onnx_path, _trt_api.capabilities().version_text,
            " | ".join(errors) or "no error reported"))
    return parser


def _build_plan(onnx_path, precision, workspace_mib, calibrator, fp16_fallback):
    """Parse and build with the Python API; the serialized plan as bytes."""
    trt = _trt_api.trt()
    builder = trt.Builder(_trt_api.logger())
    network = _trt_api.create_network(builder)
    parser = _parse(network, onnx_path)  # keep the parser alive while building
    config = builder.create_builder_config()
    _trt_api.set_workspace(config, int(workspace_mib) << 20)
    if precision == "fp16" or (precision == "int8" and fp16_fallback):
        config.set_flag(trt.BuilderFlag.FP16)
    if precision == "int8":
        config.set_flag(trt.BuilderFlag.INT8)
        config.int8_calibrator = calibrator.as_tensorrt()
    plan = _trt_api.build_serialized(builder, network, config)
    if calibrator is not None and calibrator.error is not None:
        raise calibrator.error
    if plan is None:
        raise EngineBuildError("{}: TensorRT {} failed to build a {} engine; run with -vv to see "
                               "its log".format(onnx_path, _trt_api.capabilities().version_text,
                                                precision))
    del parser
    return plan


def build_engine(onnx_path, engine_path=None, precision="fp16", workspace_mib=1024,
                 calib_dir=None, calib_cache=None, rebuild="auto", use_trtexec=False):
    """Build (or reuse) ``engine_path`` from ``onnx_path``; returns ``engine_path``.

    ``engine_path`` defaults to the ONNX path with ``.engine``. INT8 calibrates on the images in
    ``calib_dir`` and keeps the result in ``calib_cache`` (default ``<engine>.calib``); an
    existing cache is reused without images. ``rebuild``: "auto" rebuilds a stale engine,
    "never" raises ``SpecMismatch`` saying what differs, "always" rebuilds.
    """
    from linknet_edge.runtime.backends import tensorrt as backend
    from linknet_edge.onnx_file import read_onnx_info
    if rebuild not in REBUILD_MODES:
        raise EngineBuildError("rebuild must be one of {}, got {!r}".format(
            ", ".join(REBUILD_MODES), rebuild))
    onnx_path = str(onnx_path)
    engine_path = str(engine_path or os.path.splitext(onnx_path)[0] + ".engine")
    reason = backend.unavailable_reason()
    if reason:
        raise BackendUnavailable("building {} needs TensorRT and pycuda: {}; build on the Jetson "
                                 "or GPU machine that will run the engine".format(
                                     engine_path, reason))
    info = read_onnx_info(onnx_path)
    spec, graph_input = info.spec, info.input
    if any(d <= 0 for d in graph_input.shape):
        raise EngineBuildError("{}: input '{}' has dynamic dimensions {}; engines here are "
                               "static-shape, so export without a dynamic batch".format(
                                   onnx_path, graph_input.name, graph_input.shape))
    from linknet_edge.runtime.backends._cuda import CudaContext, gpu_identity
    gpu_name, compute_capability = gpu_identity()
    check_precision(precision, gpu_name, compute_capability)
    if precision == "int8":
        calib_cache = str(calib_cache or engine_path + ".calib")
        if calib_dir is None and not os.path.isfile(calib_cache):
            raise EngineBuildError("INT8 needs calibration images (--calib DIR) or an existing "
                                   "calibration cache; {} does not exist".format(calib_cache))
        if use_trtexec and not os.path.isfile(calib_cache):
            raise EngineBuildError("trtexec cannot calibrate INT8 from images, only read a cache: "
                                   "build once without --trtexec to write {}".format(calib_cache))
    else:
        calib_cache = None
    wanted = {
        "spec": spec.to_dict(), "tensorrt_version": _trt_api.capabilities().version_text,
        "gpu_name": gpu_name, "compute_capability": compute_capability, "precision": precision,
        "input_shape": graph_input.shape, "workspace_mib": int(workspace_mib),
        "onnx_sha256": file_sha256(onnx_path), "calibration_sha256": file_sha256(calib_cache),
        "io": io_record(info),
    }
    if _cache_decision(engine_path, wanted, rebuild):
        return engine_path
    fp16_fallback = precision == "int8" and has_fast_fp16(compute_capability)
    logger.info("%s: building a %s engine with TensorRT %s on %s (compute capability %s)",
                engine_path, precision, wanted["tensorrt_version"], gpu_name, compute_capability)
    if os.path.isfile(sidecar_path(engine_path)):  # never leave an old sidecar beside a new plan
        os.remove(sidecar_path(engine_path))
    if use_trtexec:
        from .trtexec import run_trtexec
        with atomic_path(engine_path) as tmp:
            run_trtexec(onnx_path, tmp, precision, workspace_mib, wanted["tensorrt_version"],
                        calib_cache=calib_cache, fp16_fallback=fp16_fallback)
    else:
        calibrator = None
        if precision == "int8":
            from .calibrate import CalibrationBatches, EntropyCalibrator
            batches = None
            if calib_dir is not None and not os.path.isfile(calib_cache):
                batches = CalibrationBatches(calib_dir, spec,
                                             batch_size=graph_input.shape[0])
            calibrator = EntropyCalibrator(calib_cache, batches)
        with CudaContext():
            try:
                plan = _build_plan(onnx_path, precision, workspace_mib, calibrator, fp16_fallback)
            finally:
                if calibrator is not None:
                    calibrator.close()
        write_atomic(engine_path, plan)
    wanted["calibration_sha256"] = file_sha256(calib_cache)
    write_sidecar(engine_path, wanted)
    logger.info("%s: written (%.1f MiB) with sidecar %s.json", engine_path,
                os.path.getsize(engine_path) / 2.0 ** 20, os.path.basename(engine_path))
    return engine_path

"""Build a TensorRT engine from a linknet-edge ONNX file, on the device that will run it.

Writes the plain serialized plan (nothing prepended: trtexec and DeepStream load it) and the
``.engine.json`` sidecar (``runtime.backends.tensorrt.sidecar``), which is also the cache key:
an engine whose ONNX file, TensorRT version, GPU, precision, build route, calibration cache or
workspace changed is rebuilt (``rebuild="auto"``) or refused (``"never"``), never silently used.

Needs JetPack's TensorRT, numpy and OpenCV only (the ONNX is read with the stdlib reader
``linknet_edge.onnx_file``); ``--trtexec`` needs no Python TensorRT at all. How the precision is
obtained (builder flags, or a strongly typed network on TensorRT 11) is ``build_route``'s.

Precision rules (a request the GPU cannot honour is refused, never downgraded):
- FP16 needs fast FP16: compute capability 5.3 (TX1, Nano), 6.0, 6.2 (TX2) or 7.0+.
- INT8 needs DP4A/tensor cores: 6.1 or 7.0+ (Xavier 7.2, Orin 8.7). TX1/Nano and TX2 get FP16.
"""

import hashlib
import logging
import os

from linknet_edge.atomic import check_writable
from linknet_edge.errors import EngineBuildError, SpecError, SpecMismatch
from linknet_edge.images import require_existing
from linknet_edge.onnx_file import read_onnx_info
from linknet_edge.runtime.backends.tensorrt.gpu import gpu_identity
from linknet_edge.runtime.backends.tensorrt.sidecar import (io_record, read_sidecar,
                                                            sidecar_differences, sidecar_path,
                                                            write_sidecar)

from .build_route import adapt_input, choose_route

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


def build_engine(onnx_path, engine_path=None, precision="fp16", workspace_mib=1024,
                 calib_dir=None, calib_cache=None, rebuild="auto", use_trtexec=False,
                 trtexec_path=None):
    """Build (or reuse) ``engine_path`` from ``onnx_path``; returns ``engine_path``.

    ``engine_path`` defaults to the ONNX path with ``.engine``. INT8 through builder flags
    calibrates on the images in ``calib_dir`` and keeps the result in ``calib_cache`` (default
    ``<engine>.calib``); an existing cache is reused without images, and images given are always
    offered. On TensorRT 11 an FP32 ONNX is converted to its FP16 / Q-DQ sibling
    (``build_route``). ``rebuild``: "auto" rebuilds a stale engine, "never" raises
    ``SpecMismatch`` saying what differs, "always" rebuilds. ``use_trtexec`` builds with
    trtexec (``trtexec_path``, else found on PATH or in /usr/src/tensorrt/bin).
    """
    from .builders import (build_with_python, build_with_trtexec, calibration_batches,
                           check_calibration, toolchain)
    if rebuild not in REBUILD_MODES:
        raise EngineBuildError("rebuild must be one of {}, got {!r}".format(
            ", ".join(REBUILD_MODES), rebuild))
    if precision not in PRECISIONS:
        raise EngineBuildError("unknown precision {!r}; choose from {}".format(
            precision, ", ".join(PRECISIONS)))
    onnx_path = str(onnx_path)
    engine_path = str(engine_path or os.path.splitext(onnx_path)[0] + ".engine")
    info = read_onnx_info(onnx_path)
    spec, graph_input = info.spec, info.input
    if any(d <= 0 for d in graph_input.shape):
        raise EngineBuildError("{}: input '{}' has dynamic dimensions {}; engines here are "
                               "static-shape, so export without a dynamic batch".format(
                                   onnx_path, graph_input.name, graph_input.shape))
    check_writable(engine_path, "-o")
    if calib_dir:
        require_existing(calib_dir, EngineBuildError)
    tools = toolchain(use_trtexec, trtexec_path)
    gpu_name, compute_capability = gpu_identity()
    check_precision(precision, gpu_name, compute_capability)
    source_sha = file_sha256(onnx_path)
    build_path, info = adapt_input(onnx_path, info, tools.has_uint8_input, source_sha,
                                   tools.words)
    spec, graph_input = info.spec, info.input
    route = choose_route(build_path, info.precision, precision, tools.has_precision_flags,
                         source_sha, calib_dir, tools.words)
    use_cache = True
    if route.calibrate:
        calib_cache = str(calib_cache or engine_path + ".calib")
        use_cache = check_calibration(tools, calib_dir, calib_cache)
    else:
        if calib_cache or (calib_dir and not route.converted):
            logger.info("%s: --calib/--calib-cache not used: the %s route calibrates nothing",
                        onnx_path, route.name)
        calib_cache = None
    fp16_fallback = bool(route.flags) and precision == "int8" and has_fast_fp16(
        compute_capability)
    wanted = {
        "spec": spec.to_dict(), "tensorrt_version": tools.version_text, "gpu_name": gpu_name,
        "compute_capability": compute_capability, "precision": precision,
        "input_shape": graph_input.shape, "workspace_mib": int(workspace_mib),
        "onnx_sha256": source_sha, "calibration_sha256": file_sha256(calib_cache),
        "build_route": route.name, "built_onnx_sha256": file_sha256(route.onnx_path),
        "io": io_record(info),
    }
    if _cache_decision(engine_path, wanted, rebuild):
        return engine_path
    logger.info("%s: building an %s engine with %s on %s (compute capability %s), route %s "
                "from %s", engine_path, precision, tools.words, gpu_name, compute_capability,
                route.name, route.onnx_path)
    if os.path.isfile(sidecar_path(engine_path)):  # never leave an old sidecar beside a new plan
        os.remove(sidecar_path(engine_path))
    if tools.trtexec:
        build_with_trtexec(engine_path, route, precision, tools, workspace_mib, calib_cache,
                           fp16_fallback)
    else:
        calibration = None
        if route.calibrate:
            calibration = (calibration_batches(calib_dir, spec, graph_input.shape[0]),
                           calib_cache, use_cache)
        flags = route.flags + (("FP16",) if fp16_fallback else ())
        build_with_python(engine_path, route, flags, workspace_mib, calibration, tools.words)
    wanted["calibration_sha256"] = file_sha256(calib_cache)
    write_sidecar(engine_path, wanted)
    logger.info("%s: written (%.1f MiB, route %s) with sidecar %s.json", engine_path,
                os.path.getsize(engine_path) / 2.0 ** 20, route.name,
                os.path.basename(engine_path))
    return engine_path

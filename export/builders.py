"""The two ways to produce a TensorRT plan from a ``build_route.Route``: TensorRT's Python
builder, or a trtexec binary. Both return nothing and write the plan file atomically."""

import contextlib
import logging
import os

from linknet_edge.atomic import atomic_path, write_atomic
from linknet_edge.errors import BackendUnavailable, EngineBuildError
from linknet_edge.runtime.backends import tensorrt as backend
from linknet_edge.runtime.backends.tensorrt import api, cuda
from linknet_edge.runtime.backends.tensorrt.trtexec import find_trtexec, trtexec_version
from linknet_edge.runtime.backends.tensorrt.versions import (trtexec_has_precision_flags,
                                                             uint8_input_supported,
                                                             version_text)

from .calibrate import CalibrationBatches, EntropyCalibrator, cache_problem

__all__ = ["Toolchain", "toolchain", "check_calibration", "calibration_batches",
           "build_with_python", "build_with_trtexec"]

logger = logging.getLogger(__name__)


class Toolchain(object):
    """What builds: ``trtexec`` (path, or None for the Python builder), ``tool_version``
    (the trtexec binary's), ``version_text`` (recorded in the sidecar),
    ``has_precision_flags``, ``has_uint8_input``, ``words`` (for messages, e.g.
    "TensorRT 11.4.0.106")."""

    def __init__(self, trtexec, tool_version, version_text, has_precision_flags, words,
                 has_uint8_input):
        self.trtexec, self.tool_version, self.version_text = trtexec, tool_version, version_text
        self.has_precision_flags, self.words = has_precision_flags, words
        self.has_uint8_input = has_uint8_input


def toolchain(use_trtexec, trtexec_path=None):
    """The ``Toolchain`` for a build: TensorRT's Python module (which must load), or trtexec
    (found, and asked its version; no Python TensorRT needed)."""
    if not use_trtexec:
        problem = backend.tensorrt_problem()
        if problem:
            raise BackendUnavailable("building needs TensorRT: {}; build on the Jetson or GPU "
                                     "machine that will run the engine".format(problem))
        caps = api.capabilities()
        return Toolchain(None, caps.version, caps.version_text, caps.has_precision_flags,
                         "TensorRT {}".format(caps.version_text), caps.has_uint8_input)
    path = find_trtexec(trtexec_path)
    tool_version = trtexec_version(path)
    text = version_text(tool_version)
    recorded = text
    if api.load_problem() is None:  # the runtime compares with the module's full version
        caps = api.capabilities()
        if caps.version[:3] == tuple(tool_version):
            recorded = caps.version_text
        else:
            logger.warning("trtexec is TensorRT %s but the Python module is %s: the engine will "
                           "run only under TensorRT %s", text, caps.version_text, text)
    return Toolchain(path, tool_version, recorded, trtexec_has_precision_flags(tool_version),
                     "trtexec {}".format(text), uint8_input_supported(tool_version))


def check_calibration(toolchain, calib_dir, calib_cache):
    """Before any work: can this INT8 calibration run? Returns whether TensorRT may read the
    existing cache (False: a foreign cache that ``calib_dir`` images replace)."""
    problem = cache_problem(calib_cache, toolchain.version_text)
    if toolchain.trtexec:
        if problem:
            raise EngineBuildError("{}; trtexec cannot recalibrate (it reads caches only): build "
                                   "once without --trtexec, with --calib DIR".format(problem))
        if not os.path.isfile(calib_cache):
            raise EngineBuildError("trtexec cannot calibrate INT8 from images, only read a cache: "
                                   "build once without --trtexec to write {}".format(calib_cache))
        return True
    if problem:
        if calib_dir is None:
            raise EngineBuildError("{}, so TensorRT would skip it and have no images to "
                                   "calibrate on; give --calib DIR to recalibrate".format(problem))
        logger.warning("%s: recalibrating on %s (the cache is rewritten)", problem, calib_dir)
    elif calib_dir is None and not os.path.isfile(calib_cache):
        raise EngineBuildError("INT8 needs calibration images (--calib DIR) or an existing "
                               "calibration cache; {} does not exist".format(calib_cache))
    if cuda.flavour() is None:
        raise EngineBuildError("INT8 calibration hands TensorRT device buffers, which needs "
                               "pycuda or cuda-python: {}".format(cuda.INSTALL_HINT))
    return not problem


def _parse(network, route, words):
    with open(route.onnx_path, "rb") as handle:
        parser, errors = api.parse_onnx(network, handle.read())
    if errors:
        raise EngineBuildError("{}: {} cannot parse it: {}".format(
            route.onnx_path, words, " | ".join(errors)))
    return parser


def build_with_python(plan_path, route, flags, workspace_mib, calibration, words):
    """Parse ``route.onnx_path`` and build with ``flags`` (``trt.BuilderFlag`` names);
    ``calibration`` is ``(batches or None, cache path, use_cache)`` for a calibrated INT8."""
    calibrator = None
    if calibration is not None:
        calibrator = EntropyCalibrator(calibration[1], calibration[0], use_cache=calibration[2])
    # the primary context TensorRT uses anyway; made current so calibration buffers land in it
    scope = cuda.CudaContext() if cuda.flavour() else contextlib.ExitStack()
    try:
        with scope:
            builder = api.create_builder()
            network = api.create_network(builder, strongly_typed=route.strongly_typed)
            parser = _parse(network, route, words)  # keep alive while building
            config = builder.create_builder_config()
            api.set_workspace(config, int(workspace_mib) << 20)
            api.set_builder_flags(config, flags)
            if calibrator is not None:
                api.set_calibrator(config, calibrator.as_tensorrt())
            plan = api.build_serialized(builder, network, config)
            del parser
    finally:
        if calibrator is not None:
            calibrator.close()
    if calibrator is not None and calibrator.error is not None:
        raise calibrator.error
    if plan is None:
        raise EngineBuildError("{}: {} failed to build the engine ({}); run with -vv to see its "
                               "log".format(route.onnx_path, words, route.name))
    write_atomic(plan_path, plan)


def calibration_batches(calib_dir, spec, batch_size):
    return CalibrationBatches(calib_dir, spec, batch_size=batch_size) if calib_dir else None


def build_with_trtexec(plan_path, route, precision, toolchain, workspace_mib, calib_cache,
                       fp16_fallback):
    """Run trtexec with the flags its own version takes (none for precision on 11.x)."""
    from .trtexec import run_trtexec, trtexec_command
    with atomic_path(plan_path) as tmp:
        command = trtexec_command(
            route.onnx_path, tmp, toolchain.tool_version, workspace_mib,
            precision=precision if route.flags else None,
            calib_cache=calib_cache if route.calibrate else None, fp16_fallback=fp16_fallback,
            trtexec=toolchain.trtexec)
        run_trtexec(command, tmp)

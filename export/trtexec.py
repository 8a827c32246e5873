"""The ``trtexec`` equivalent of ``build_engine``: the command line per TensorRT version, and a run.

Flags by version (checked against trtexec's help texts of 8.2, 8.4-8.6 and 10.3):
- workspace: ``--workspace=N`` (MiB) before 8.4; ``--memPoolSize=workspace:N`` (MiB) from 8.4,
  where ``--workspace`` is deprecated; removed in 10.x, whose ``--memPoolSize`` takes unit
  suffixes (B, K, M, G; none means MiB), so we write the explicit ``M``.
- ``--explicitBatch`` up to 9.x (ONNX is explicit-batch anyway); gone in 10.x.
- build only: ``--buildOnly`` before 8.6, ``--skipInference`` from 8.6.
- INT8: ``--int8 --calib=CACHE``; trtexec cannot calibrate from images, it only reads a cache.
"""

import logging
import os
import shutil
import subprocess

from linknet_edge.errors import BackendUnavailable, EngineBuildError

from linknet_edge.runtime.backends._trt_api import parse_version

__all__ = ["TRTEXEC_FALLBACK", "trtexec_command", "find_trtexec", "run_trtexec"]

logger = logging.getLogger(__name__)

#: Where JetPack and NVIDIA's containers put trtexec (it is not on PATH there).
TRTEXEC_FALLBACK = "/usr/src/tensorrt/bin/trtexec"


def _as_tuple(trt_version):
    return parse_version(trt_version) if isinstance(trt_version, str) else tuple(trt_version)


def trtexec_command(onnx_path, engine_path, precision, workspace_mib, trt_version,
                    calib_cache=None, fp16_fallback=False, trtexec="trtexec"):
    """The argv that builds ``engine_path`` from ``onnx_path`` with trtexec of ``trt_version``.

    ``fp16_fallback`` adds ``--fp16`` to an INT8 build (layers without INT8 kernels then run in
    FP16, as ``build_engine`` does on GPUs with fast FP16).
    """
    version = _as_tuple(trt_version)
    command = [trtexec, "--onnx={}".format(onnx_path), "--saveEngine={}".format(engine_path)]
    if version < (10,):
        command.append("--explicitBatch")
    if version < (8, 4):
        command.append("--workspace={}".format(int(workspace_mib)))
    elif version < (10,):
        command.append("--memPoolSize=workspace:{}".format(int(workspace_mib)))
    else:
        command.append("--memPoolSize=workspace:{}M".format(int(workspace_mib)))
    if precision == "fp16" or (precision == "int8" and fp16_fallback):
        command.append("--fp16")
    if precision == "int8":
        if not calib_cache:
            raise EngineBuildError("trtexec cannot calibrate INT8 from images, only read a cache: "
                                   "build once without --trtexec (with --calib DIR) or pass "
                                   "--calib-cache FILE")
        command += ["--int8", "--calib={}".format(calib_cache)]
    command.append("--buildOnly" if version < (8, 6) else "--skipInference")
    return command


def find_trtexec():
    """The trtexec executable: on PATH, else JetPack's /usr/src/tensorrt/bin/trtexec."""
    found = shutil.which("trtexec")
    if found:
        return found
    if os.access(TRTEXEC_FALLBACK, os.X_OK):
        return TRTEXEC_FALLBACK
    raise BackendUnavailable("trtexec not found on PATH nor at {}; it comes with TensorRT "
                             "(JetPack: the tensorrt package), or build without --trtexec".format(
                                 TRTEXEC_FALLBACK))


def run_trtexec(onnx_path, plan_path, precision, workspace_mib, trt_version, calib_cache=None,
                fp16_fallback=False):
    """Build ``plan_path`` with trtexec; ``EngineBuildError`` with trtexec's errors on failure."""
    command = trtexec_command(onnx_path, plan_path, precision, workspace_mib, trt_version,
                              calib_cache=calib_cache, fp16_fallback=fp16_fallback,
                              trtexec=find_trtexec())
    logger.info("running %s", " ".join(command))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True)
    output, _ = process.communicate()
    for line in output.splitlines():
        logger.debug("trtexec: %s", line)
    if process.returncode != 0 or not os.path.isfile(plan_path):
        errors = [line.strip() for line in output.splitlines() if "[E]" in line or "ERROR" in line]
        raise EngineBuildError("{}: trtexec failed (exit {}): {}".format(
            onnx_path, process.returncode, "; ".join(errors[-5:]) or "see its output with -vv"))
    return plan_path

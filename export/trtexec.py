"""Building with ``trtexec``: the command line for the binary's own version, and a run.

The flags come from ``versions.trtexec_flags`` for the version trtexec itself reports
(``runtime.backends.tensorrt.trtexec.trtexec_version``); on trtexec 11.x, which has no
precision flags, the FP16 or Q/DQ ONNX is built as it is typed.
"""

import logging
import os

from linknet_edge.errors import EngineBuildError
from linknet_edge.runtime.backends.tensorrt.trtexec import run_captured
from linknet_edge.runtime.backends.tensorrt.versions import trtexec_flags

__all__ = ["trtexec_command", "run_trtexec"]

logger = logging.getLogger(__name__)


def trtexec_command(onnx_path, engine_path, trt_version, workspace_mib, precision=None,
                    calib_cache=None, fp16_fallback=False, trtexec="trtexec"):
    """The argv that builds ``engine_path`` from ``onnx_path`` with a trtexec of ``trt_version``.

    ``precision`` "fp16"/"int8" selects builder flags (trtexec up to 10.x); None builds the graph
    as it is typed (FP32, or an FP16 / Q-DQ ONNX on trtexec 11.x).
    """
    return [trtexec, "--onnx={}".format(onnx_path), "--saveEngine={}".format(engine_path)] + \
        trtexec_flags(trt_version, workspace_mib, precision, calib_cache, fp16_fallback)


def run_trtexec(command, plan_path):
    """Run a ``trtexec_command``; ``EngineBuildError`` with trtexec's errors on failure."""
    logger.info("running %s", " ".join(command))
    returncode, output = run_captured(command)
    for line in output.splitlines():
        logger.debug("trtexec: %s", line)
    if returncode != 0 or not os.path.isfile(plan_path):
        errors = [line.strip() for line in output.splitlines()
                  if "[E]" in line or "ERROR" in line or "Unknown option" in line]
        raise EngineBuildError("{}: trtexec failed (exit {}): {}".format(
            command[1].split("=", 1)[1], returncode,
            "; ".join(errors[-5:]) or "see its output with -vv"))
    return plan_path

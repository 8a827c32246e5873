"""The ``trtexec`` executable: where it is, and which TensorRT it was built with.

trtexec has no ``--version``; every run prints ``&&&& RUNNING TensorRT.trtexec [TensorRT v8201]
...`` first, so ``trtexec --help`` (exit 0, builds nothing) tells the version, asked once per
path. Its flags follow that version (``versions.trtexec_flags``), not the Python module's: a
container may hold another trtexec than its bindings, and trtexec needs no Python TensorRT.
"""

import logging
import os
import shutil
import subprocess

from linknet_edge.errors import BackendUnavailable, EngineBuildError, first_line

from .versions import trtexec_version_from_output, version_text

__all__ = ["TRTEXEC_FALLBACK", "find_trtexec", "trtexec_version", "run_captured"]

logger = logging.getLogger(__name__)

#: Where JetPack and NVIDIA's containers put trtexec (it is not on PATH there).
TRTEXEC_FALLBACK = "/usr/src/tensorrt/bin/trtexec"
_VERSIONS = {}


def find_trtexec(path=None):
    """The trtexec executable: ``path`` if given, else on PATH, else JetPack's
    /usr/src/tensorrt/bin/trtexec."""
    if path:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.abspath(path)
        raise BackendUnavailable("{}: no executable trtexec there".format(path))
    found = shutil.which("trtexec")
    if found:
        return found
    if os.access(TRTEXEC_FALLBACK, os.X_OK):
        return TRTEXEC_FALLBACK
    raise BackendUnavailable("trtexec not found on PATH nor at {}; it comes with TensorRT "
                             "(JetPack: the tensorrt package), or build without --trtexec".format(
                                 TRTEXEC_FALLBACK))


def run_captured(command, timeout=None):
    """``(exit code, stdout+stderr)`` of ``command``; killed after ``timeout`` seconds."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return process.returncode, output


def trtexec_version(trtexec):
    """``(major, minor, patch)`` of the TensorRT a trtexec binary was built with (asked once per
    path, from the ``&&&& RUNNING`` line of ``trtexec --help``)."""
    key = os.path.realpath(trtexec)
    if key not in _VERSIONS:
        try:
            _, output = run_captured([trtexec, "--help"], timeout=60)
        except OSError as exc:
            raise BackendUnavailable("{}: cannot run it ({})".format(trtexec, first_line(exc)))
        version = trtexec_version_from_output(output)
        if version is None:
            raise EngineBuildError("{}: cannot tell its TensorRT version: `trtexec --help` printed "
                                   "no '&&&& RUNNING TensorRT.trtexec [TensorRT vNNNN]' line "
                                   "({})".format(trtexec, first_line(output) or "no output"))
        _VERSIONS[key] = version
        logger.info("%s: built with TensorRT %s", trtexec, version_text(version))
    return _VERSIONS[key]

"""Atomic file writes: a temporary file beside the target, renamed over it only when complete.

An interrupted write leaves the previous file (or none), never a half-written one. Stdlib only.
The temporary file is ``NAME.tmpPID``; one that a SIGKILL (or power loss) left behind is removed
by ``sweep_stale_temps`` once its process is gone.
"""

import contextlib
import errno
import json
import logging
import os
import re

__all__ = ["atomic_path", "write_atomic", "write_json_atomic", "sweep_stale_temps",
           "process_gone"]

logger = logging.getLogger(__name__)

_TEMP_NAME = re.compile(r"^.+\.tmp([0-9]+)$")


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it over ``path`` if the block succeeds,
    remove it if the block raises (even KeyboardInterrupt). Creates the parent folder."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        os.makedirs(directory)
    tmp = "{}.tmp{}".format(path, os.getpid())
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_atomic(path, data):
    """Write ``data`` (str or bytes) to ``path`` atomically; returns ``path``."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb" if isinstance(data, bytes) else "w") as handle:
            handle.write(data)
    return path


def write_json_atomic(path, data, **options):
    """``json.dump`` ``data`` to ``path`` atomically (indent 2, sorted keys unless overridden)."""
    options.setdefault("indent", 2)
    options.setdefault("sort_keys", True)
    return write_atomic(path, json.dumps(data, **options) + "\n")


def process_gone(pid):
    """True unless another live process has id ``pid``. This process counts as gone: a sweep runs
    before it writes anything, and a restarted container gives its new process the old pid."""
    pid = int(pid)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.ESRCH  # EPERM: it exists, owned by another user
    return False


def sweep_stale_temps(folder):
    """Remove the ``NAME.tmpPID`` files in ``folder`` whose process is gone; returns their paths."""
    removed = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return removed
    for name in names:
        match = _TEMP_NAME.match(name)
        path = os.path.join(folder, name)
        if match and os.path.isfile(path) and process_gone(match.group(1)):
            try:
                os.remove(path)
            except OSError as exc:
                logger.warning("%s: cannot remove this stale temporary file (%s)", path,
                               exc.strerror or exc)
                continue
            removed.append(path)
    if removed:
        logger.info("removed %d temporary file(s) left by a killed run in %s: %s", len(removed),
                    folder, ", ".join(os.path.basename(p) for p in removed))
    return removed

"""Atomic file writes: a temporary file beside the target, renamed over it only when complete.

An interrupted write leaves the previous file (or none), never a half-written one. Stdlib only.
The temporary file is ``NAME.tmpPID``; one that a SIGKILL (or power loss) left behind is removed
by ``sweep_stale_temps`` once its process is gone: every atomic write sweeps its folder first.
``check_writable`` is the one up-front check of an output path, run before any long work.
"""

import contextlib
import errno
import json
import logging
import os
import re
import tempfile

from .errors import OutputError

__all__ = ["atomic_path", "write_atomic", "write_json_atomic", "sweep_stale_temps",
           "process_gone", "check_writable"]

logger = logging.getLogger(__name__)

_TEMP_NAME = re.compile(r"^.+\.tmp([0-9]+)$")


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it over ``path`` if the block succeeds,
    remove it if the block raises (even KeyboardInterrupt). Creates the parent folder and
    removes the temporary files that killed writers (dead pids) left in it."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        os.makedirs(directory)
    sweep_stale_temps(directory, own=False)
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


def sweep_stale_temps(folder, own=True):
    """Remove the ``NAME.tmpPID`` files in ``folder`` whose process is gone; returns their paths.

    ``own=False`` keeps this process's own ones (another of its writes may be under way)."""
    removed = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return removed
    for name in names:
        match = _TEMP_NAME.match(name)
        path = os.path.join(folder, name)
        if not match or (not own and int(match.group(1)) == os.getpid()):
            continue
        if os.path.isfile(path) and process_gone(match.group(1)):
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


def _nearest_existing(path):
    path = os.path.abspath(path)
    while not os.path.exists(path):
        path = os.path.dirname(path)
    return path


def check_writable(path, option, folder=False):
    """Refuse, in one ``OutputError`` line naming ``option``, an output that cannot be written:
    a file path (or, with ``folder``, a folder path) that is the other kind of thing, or whose
    nearest existing folder does not take a new file. Creates nothing; returns ``path``."""
    if not path:
        raise OutputError("{}: the path is empty".format(option))
    if os.path.exists(path) and os.path.isdir(path) != bool(folder):
        raise OutputError("{}: is a {}; {} needs a {}".format(
            path, "file" if folder else "folder", option, "folder" if folder else "file name"))
    existing = _nearest_existing(path if folder else os.path.dirname(os.path.abspath(path)))
    if not os.path.isdir(existing):
        raise OutputError("{}: {} cannot go below {}: it is a file, not a folder".format(
            path, option, existing))
    try:
        handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=existing)
        os.close(handle)
        os.remove(probe)
    except OSError as exc:
        raise OutputError("{}: cannot write {} in {} ({})".format(path, option, existing,
                                                                 exc.strerror or exc))
    return path

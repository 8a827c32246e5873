"""Atomic file writes: a temporary file beside the target, renamed over it only when complete.

An interrupted write leaves the previous file (or none), never a half-written one. Stdlib only.
"""

import contextlib
import json
import os

__all__ = ["atomic_path", "write_atomic", "write_json_atomic"]


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

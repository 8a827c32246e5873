"""The resize cache: a split decoded and resized once, then read back as memory-mapped arrays.

The original LinkNet's ``--cachepath``, without holding the dataset in RAM. A cache folder holds
``images.npy`` (N x H x W x 3 uint8 RGB), ``labels.npy`` (N x H x W uint8), ``instances.npy``
(N x H x W int32, only where the dataset has instance maps) and ``meta.json``. Its name ends in a
hash of (kind, split, size and every source file's path, byte size and mtime), so editing,
adding or removing a file gives a new cache instead of stale data. It is built in a temporary
folder ``.building-PID-*`` and renamed into place, so an interrupted build never leaves a half
cache behind; one that a SIGKILL left is removed by the next build in that folder.
"""

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile

import numpy as np

from ..atomic import process_gone
from ..errors import DatasetError
from ..preprocessing import SHRINK_FILTER
from ..sizes import format_size

__all__ = ["CachedReader", "cache_key", "build_cache"]

logger = logging.getLogger(__name__)

_FORMAT = 1
_BUILDING = re.compile(r"^\.building-([0-9]+)-")


def cache_key(reader):
    """sha256 hex of what the resized split depends on: kind, split, size, source files and
    the shrink filter."""
    files = []
    for path in reader.source_files():
        try:
            stat = os.stat(path)
        except OSError as exc:
            raise DatasetError("{}: cannot stat ({})".format(path, exc.strerror or exc))
        files.append([os.path.abspath(path), stat.st_size, stat.st_mtime_ns])
    text = json.dumps({"format": _FORMAT, "kind": reader.kind, "split": reader.split,
                       "size": list(reader.size), "files": files,
                       "filter": SHRINK_FILTER}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_cache(reader, cache_dir):
    """Decode and resize every frame of ``reader`` into a cache folder (once); return its path."""
    if reader.size is None:
        raise DatasetError("{}: the cache stores resized frames; give a size".format(cache_dir))
    key = cache_key(reader)
    folder = os.path.join(cache_dir, "{}-{}-{}-{}".format(
        reader.kind, reader.split, format_size(*reader.size), key[:16]))
    if os.path.isfile(os.path.join(folder, "meta.json")):
        return folder
    try:
        os.makedirs(cache_dir, exist_ok=True)
    except OSError as exc:
        raise DatasetError("{}: cannot create cache folder ({})".format(
            cache_dir, exc.strerror or exc))
    logger.info("caching %d %s %s frames at %s in %s", len(reader), reader.kind, reader.split,
                format_size(*reader.size), folder)
    _sweep_stale_builds(cache_dir)
    try:
        tmp = tempfile.mkdtemp(prefix=".building-{}-".format(os.getpid()), dir=cache_dir)
    except OSError as exc:
        raise DatasetError("{}: cannot write the cache folder ({})".format(
            cache_dir, exc.strerror or exc))
    try:
        _write_arrays(reader, tmp, key)
        try:
            os.rename(tmp, folder)
        except OSError:
            if not os.path.isfile(os.path.join(folder, "meta.json")):
                raise
            logger.debug("%s was built concurrently; keeping that one", folder)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _sweep_stale_builds(cache_dir):
    """Remove the ``.building-PID-*`` folders of builds whose process is gone (killed)."""
    for name in sorted(os.listdir(cache_dir)):
        match = _BUILDING.match(name)
        path = os.path.join(cache_dir, name)
        if match and os.path.isdir(path) and process_gone(match.group(1)):
            logger.info("removing %s, left by a killed cache build", path)
            shutil.rmtree(path, ignore_errors=True)


def _write_arrays(reader, folder, key):
    count, (height, width) = len(reader), reader.size
    open_memmap = np.lib.format.open_memmap
    images = open_memmap(os.path.join(folder, "images.npy"), mode="w+", dtype=np.uint8,
                         shape=(count, height, width, 3))
    labels = open_memmap(os.path.join(folder, "labels.npy"), mode="w+", dtype=np.uint8,
                         shape=(count, height, width))
    instances = None
    for i in range(count):
        images[i], labels[i] = reader.read(i)
        instance = reader.instance_map(i)
        if instance is not None and instances is None:
            instances = open_memmap(os.path.join(folder, "instances.npy"), mode="w+",
                                    dtype=np.int32, shape=(count, height, width))
        if instance is not None:
            instances[i] = instance
    for array in (images, labels, instances):
        if array is not None:
            array.flush()
    del images, labels, instances
    meta = {"format": _FORMAT, "key": key, "kind": reader.kind, "split": reader.split,
            "size": list(reader.size), "frames": count,
            "paths": [list(reader.paths(i)) for i in range(count)]}
    with open(os.path.join(folder, "meta.json"), "w") as handle:
        json.dump(meta, handle, indent=1)


class CachedReader(object):
    """Same interface as the source reader, but frames come from the cache's ``.npy`` files.

    The arrays are opened with ``np.load(mmap_mode="r")`` lazily in each process, so a
    DataLoader worker (fork or spawn) maps the files instead of copying them.
    """

    def __init__(self, source, cache_dir):
        self.source = source
        self.folder = build_cache(source, cache_dir)
        for name in ("kind", "root", "split", "size", "class_names", "colors", "ignore_index"):
            setattr(self, name, getattr(source, name))
        self._arrays = None

    @property
    def num_classes(self):
        return len(self.class_names)

    def __len__(self):
        return len(self.source)

    def __repr__(self):
        return "CachedReader({!r}, folder={!r})".format(self.source, self.folder)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_arrays"] = None
        return state

    def _array(self, name):
        if self._arrays is None:
            arrays = {}
            for key in ("images", "labels", "instances"):
                path = os.path.join(self.folder, key + ".npy")
                arrays[key] = np.load(path, mmap_mode="r") if os.path.isfile(path) else None
            self._arrays = arrays
        return self._arrays[name]

    def paths(self, i):
        return self.source.paths(i)

    def source_files(self):
        return self.source.source_files()

    def read(self, i):
        return np.array(self._array("images")[i]), np.array(self._array("labels")[i])

    def read_labels(self, i):
        return np.array(self._array("labels")[i])

    def instance_map(self, i):
        instances = self._array("instances")
        return None if instances is None else np.array(instances[i])

    def make_spec(self, arch="linknet", input_size=None):
        return self.source.make_spec(arch=arch, input_size=input_size)

"""``open_dataset``: a dataset kind name -> its reader, optionally behind the resize cache;
``preset_spec``: the model spec of a known dataset."""

import collections

from ..errors import DatasetError, SpecError
from ..spec import ModelSpec
from .camvid import CAMVID_CLASSES, CAMVID_SIZE, CAMVID_VOID, CamVid32Reader, CamVidReader
from .cityscapes import (CITYSCAPES_CLASSES, CITYSCAPES_SIZE, CITYSCAPES_VOID,
                         CityscapesReader)
from .folder import FolderReader

__all__ = ["open_dataset", "DATASETS", "PRESETS", "preset_spec", "LabelledSplit"]

#: name -> (classes with colours, void label value, default input (H, W))
PRESETS = {
    "camvid": (CAMVID_CLASSES, CAMVID_VOID, CAMVID_SIZE),
    "cityscapes": (CITYSCAPES_CLASSES, CITYSCAPES_VOID, CITYSCAPES_SIZE),
}

#: kind -> reader class
DATASETS = {
    "camvid": CamVidReader,
    "camvid32": CamVid32Reader,
    "cityscapes": CityscapesReader,
    "folder": FolderReader,
}


def open_dataset(kind, root, split, size=None, cache_dir=None):
    """Open ``split`` of the dataset at ``root`` laid out as ``kind``.

    ``size`` = (H, W) resizes every frame (labels with nearest neighbour). With ``cache_dir``
    (and a size) the resized split is decoded once into memory-mapped ``.npy`` files there.
    """
    try:
        reader_class = DATASETS[kind]
    except KeyError:
        raise DatasetError("unknown dataset kind {!r}; choose from {}".format(
            kind, ", ".join(sorted(DATASETS))))
    reader = reader_class(root, split, size=size)
    if cache_dir is None:
        return reader
    if size is None:
        raise DatasetError("{}: the resize cache needs a size (e.g. --size 480x352)".format(
            cache_dir))
    from .cache import CachedReader
    return CachedReader(reader, cache_dir)


def preset_spec(name, arch="linknet", input_size=None, **arch_kwargs):
    """The spec for a known dataset (``camvid`` or ``cityscapes``)."""
    try:
        classes, void, default_size = PRESETS[name]
    except KeyError:
        raise SpecError("unknown dataset preset {!r}; choose from {}".format(
            name, ", ".join(sorted(PRESETS))))
    return ModelSpec(arch=arch, class_names=[c[0] for c in classes],
                     colors=[c[1] for c in classes], ignore_index=void,
                     input_size=input_size or default_size, arch_kwargs=arch_kwargs,
                     dataset=name)


class LabelledSplit(collections.namedtuple("LabelledSplit", "kind root split limit")):
    """A labelled split to score on: dataset ``kind``, ``root`` folder, ``split`` name and
    ``limit`` (score only the first N frames; None: all)."""

    def __new__(cls, kind, root, split="val", limit=None):
        return super(LabelledSplit, cls).__new__(cls, kind, root, split, limit)

    def open(self, size=None, cache_dir=None):
        """The reader (``open_dataset``) of this split."""
        return open_dataset(self.kind, self.root, self.split, size=size, cache_dir=cache_dir)

    def __str__(self):
        return "{} {} of {}{}".format(self.kind, self.split, self.root,
                                       "" if self.limit is None else
                                       " (first {} frames)".format(self.limit))

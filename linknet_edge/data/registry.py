"""``open_dataset``: a dataset kind name -> its reader, optionally behind the resize cache."""

from ..errors import DatasetError
from .camvid import CamVid32Reader, CamVidReader
from .cityscapes import CityscapesReader
from .folder import FolderReader

__all__ = ["open_dataset", "DATASETS"]

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

"""Dataset readers (CamVid, CamVid 32-colour, Cityscapes, a folder of pairs) and the resize cache.

Torch-free: numpy and OpenCV only. ``open_dataset(kind, root, split, size, cache_dir)`` returns a
reader with ``read(i) -> (HxWx3 uint8 RGB image, HxW uint8 labels)``; see docs/datasets.md.
"""

from .cache import CachedReader, build_cache, cache_key
from .camvid import CamVid32Reader, CamVidReader
from .cityscapes import CityscapesReader
from .folder import FolderReader
from .frequencies import class_frequencies
from .reader import SegmentationReader
from .registry import DATASETS, PRESETS, LabelledSplit, open_dataset, preset_spec

__all__ = [
    "open_dataset", "DATASETS", "PRESETS", "preset_spec", "LabelledSplit", "class_frequencies", "SegmentationReader", "CachedReader",
    "CamVidReader", "CamVid32Reader", "CityscapesReader", "FolderReader", "build_cache",
    "cache_key",
]

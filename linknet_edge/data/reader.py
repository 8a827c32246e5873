"""The reader interface every dataset layout implements, and the checked file decoding they share.

numpy and OpenCV only. A reader lists its (image, label) file pairs when it is opened (so a missing
folder or an unpaired file fails at once) and decodes one pair per ``read(i)``, checking the label
values as it goes (cheap, and it never decodes a file twice for the check).

Images come back as HxWx3 uint8 RGB, labels as HxW uint8 holding a class index 0..C-1 or the
reader's ``ignore_index`` (void). With ``size`` = (H, W) both are resized: the image with
``preprocessing.resize_image``, the labels with ``preprocessing.resize_labels`` (nearest only).
"""

import os

import numpy as np

from ..errors import DatasetError
from ..images import IMAGE_SUFFIXES, read_image_rgb
from ..preprocessing import resize_image, resize_labels
from ..spec import ModelSpec

__all__ = ["SegmentationReader", "read_label_file", "check_label_values", "require_folder",
           "pair_files", "listed_stems"]


def _cv2():
    import cv2
    return cv2


def require_folder(path, what):
    """Raise ``DatasetError`` unless ``path`` is a folder."""
    if not os.path.isdir(path):
        raise DatasetError("{}: {} folder not found".format(path, what))
    return path


def pair_files(image_dir, label_dir, label_name, stems=None):
    """Pair ``image_dir/<stem>.<ext>`` with ``label_dir/label_name(stem)``, checking both ways.

    ``stems`` (optional) keeps only those frames, in that order. Returns [(image, label)].
    """
    images = {}
    for name in sorted(os.listdir(image_dir)):
        stem, ext = os.path.splitext(name)
        if ext.lower() in IMAGE_SUFFIXES:
            images[stem] = os.path.join(image_dir, name)
    labels = set(n for n in os.listdir(label_dir) if n.lower().endswith(IMAGE_SUFFIXES))
    missing = [images[s] for s in sorted(images) if label_name(s) not in labels]
    if missing:
        raise DatasetError("{}: no label file {} in {} ({} image(s) without labels)".format(
            missing[0], label_name(os.path.splitext(os.path.basename(missing[0]))[0]),
            label_dir, len(missing)))
    orphans = sorted(labels - set(label_name(s) for s in images))
    if orphans:
        raise DatasetError("{}: label file without an image in {} ({} such file(s))".format(
            os.path.join(label_dir, orphans[0]), image_dir, len(orphans)))
    if stems is None:
        stems = sorted(images)
    unknown = [s for s in stems if s not in images]
    if unknown:
        raise DatasetError("{}: listed frame {!r} has no image there ({} missing)".format(
            image_dir, unknown[0], len(unknown)))
    return [(images[s], os.path.join(label_dir, label_name(s))) for s in stems]


def listed_stems(list_file):
    """The frames a split file lists: each line's first token, as a file name stem."""
    with open(list_file) as handle:
        return [os.path.splitext(os.path.basename(line.split()[0]))[0]
                for line in handle if line.strip()]


def read_label_file(path, color=False, dtype=np.uint8):
    """Decode a label PNG unchanged: HxW of ``dtype`` (index maps) or HxWx3 RGB (``color``)."""
    cv2 = _cv2()
    data = cv2.imread(path, cv2.IMREAD_UNCHANGED) if os.path.isfile(path) else None
    if data is None:
        raise DatasetError("{}: {}".format(path, "cannot decode label image (corrupt?)"
                                           if os.path.isfile(path) else "label file not found"))
    if color:
        if data.ndim != 3 or data.dtype != np.uint8:
            raise DatasetError("{}: expected an 8-bit colour label image, got shape {} {}".format(
                path, data.shape, data.dtype))
        return cv2.cvtColor(data[..., :3], cv2.COLOR_BGR2RGB)
    if data.ndim == 3:
        # Some tools save a grey index map as RGB(A); accept it only when the channels agree.
        if not all(np.array_equal(data[..., 0], data[..., c]) for c in range(1, min(3, data.shape[2]))):
            raise DatasetError("{}: label image has colour channels; expected one class index "
                               "per pixel".format(path))
        data = data[..., 0]
    if data.dtype != dtype:
        raise DatasetError("{}: label image is {}, expected {}".format(
            path, data.dtype, np.dtype(dtype).name))
    return data


def check_label_values(labels, num_classes, ignore_index, path):
    """Raise ``DatasetError`` if ``labels`` holds a value that is neither a class nor void."""
    counts = np.bincount(labels.ravel(), minlength=256)
    bad = [v for v in np.nonzero(counts)[0] if v >= num_classes and v != ignore_index]
    if bad:
        raise DatasetError("{}: label values {} are outside the classes 0..{} (void is {})".format(
            path, ", ".join(str(v) for v in bad[:8]), num_classes - 1, ignore_index))
    return labels


class SegmentationReader(object):
    """A split of a segmentation dataset: indexable (image, labels) pairs with class metadata.

    Subclasses set ``kind``, fill ``self._pairs`` with (image path, label path) and implement
    ``_decode_labels(i)``; ``preset`` names the ``preset_spec`` their classes follow.
    """

    kind = None
    preset = None

    def __init__(self, root, split, pairs, class_names, colors, ignore_index, size=None):
        self.root = root
        self.split = split
        self.size = None if size is None else tuple(int(v) for v in size)
        self.class_names = list(class_names)
        self.colors = [tuple(c) for c in colors]
        self.ignore_index = int(ignore_index)
        self._pairs = list(pairs)
        if not self._pairs:
            raise DatasetError("{}: split {!r} of this {} dataset has no frames".format(
                root, split, self.kind))

    @property
    def num_classes(self):
        return len(self.class_names)

    def __len__(self):
        return len(self._pairs)

    def __repr__(self):
        return "{}(root={!r}, split={!r}, frames={}, size={})".format(
            type(self).__name__, self.root, self.split, len(self), self.size)

    def paths(self, i):
        """(image path, label path) of frame ``i``."""
        return self._pairs[i]

    def source_files(self):
        """Every file the split's content depends on (the cache key hashes their sizes/mtimes)."""
        files = [p for pair in self._pairs for p in pair]
        return files + [p for p in (self._instance_path(i) for i in range(len(self))) if p]

    def read(self, i):
        """Frame ``i`` as (HxWx3 uint8 RGB image, HxW uint8 labels), resized to ``size`` if set."""
        image = read_image_rgb(self._pairs[i][0])
        labels = self._read_native_labels(i)
        if image.shape[:2] != labels.shape[:2]:
            raise DatasetError("{}: image is {}x{} but its labels {} are {}x{} (WxH)".format(
                self._pairs[i][0], image.shape[1], image.shape[0], self._pairs[i][1],
                labels.shape[1], labels.shape[0]))
        if self.size is not None:
            image, labels = resize_image(image, self.size), resize_labels(labels, self.size)
        return image, labels

    def read_labels(self, i):
        """Only the labels of frame ``i`` (resized to ``size`` if set); no image decoding."""
        labels = self._read_native_labels(i)
        return labels if self.size is None else resize_labels(labels, self.size)

    def instance_map(self, i):
        """HxW int32 instance ids (Cityscapes ``instanceIds``) of frame ``i``, or None."""
        path = self._instance_path(i)
        if path is None:
            return None
        instances = read_label_file(path, dtype=np.uint16).astype(np.int32)
        return instances if self.size is None else resize_labels(instances, self.size)

    def make_spec(self, arch="linknet", input_size=None):
        """A ``ModelSpec`` whose classes, colours and void value are this dataset's."""
        if self.preset is not None:
            from .registry import preset_spec
            return preset_spec(self.preset, arch=arch, input_size=input_size)
        return ModelSpec(arch=arch, class_names=self.class_names, colors=self.colors,
                         ignore_index=self.ignore_index, dataset=self.kind,
                         input_size=input_size or self.size or (352, 480))

    def _read_native_labels(self, i):
        labels = self._decode_labels(i)
        return check_label_values(labels, self.num_classes, self.ignore_index, self._pairs[i][1])

    def _decode_labels(self, i):
        """HxW uint8 class indices (void = ``ignore_index``) at the file's resolution."""
        return read_label_file(self._pairs[i][1])

    def _instance_path(self, i):
        return None

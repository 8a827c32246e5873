"""Writing synthetic datasets (CamVid SegNet layout) and driving clips with their labels."""

import json
import logging
import os
import shutil
import tempfile
import zlib

from ...errors import DatasetError, SinkError
from ..camvid import CAMVID_CLASSES as _CAMVID, CAMVID_VOID as VOID
from .clip import DEFAULT_SIZE, check_scene_size, render_clip, render_scene

__all__ = ["write_dataset", "write_clip", "write_classes_csv", "DEFAULT_COUNTS"]

logger = logging.getLogger(__name__)

DEFAULT_COUNTS = {"train": 48, "val": 12}
_MARKER = "synthetic.json"  # written last; its presence means the dataset is complete


def _cv2():
    import cv2
    return cv2


def write_classes_csv(path):
    """``classes.csv`` as in the CamVid folder: index,name,r,g,b with the display colours."""
    rows = ["index,name,r,g,b"] + ["{},{},{},{},{}".format(i, name, *color)
                                   for i, (name, color) in enumerate(_CAMVID)]
    rows.append("{},Unlabelled,0,0,0".format(VOID))
    with open(path, "w") as handle:
        handle.write("\n".join(rows) + "\n")


def _scene_seed(seed, split, index):
    """A seed per image that does not depend on Python's hash randomisation."""
    return zlib.crc32("{}/{}/{}".format(seed, split, index).encode("ascii"))


def _write_png(path, array):
    if not _cv2().imwrite(path, array):
        raise SinkError("{}: OpenCV could not write this PNG".format(path))


def write_dataset(root, seed=0, size=DEFAULT_SIZE, counts=None):
    """Write a synthetic dataset in the CamVid SegNet layout at ``root``; returns ``root``.

    ``root`` gets ``<split>/``, ``<split>annot/`` and ``<split>.txt`` for each split in
    ``counts`` (default 48 train, 12 val), ``classes.csv`` and ``synthetic.json``. Everything
    is written into a hidden folder beside ``root`` that is renamed into place at the end, so
    ``root`` is complete or absent. An existing ``root`` written with the same settings is
    reused; any other existing ``root`` raises ``DatasetError``.
    """
    size = check_scene_size(size)
    counts = dict(DEFAULT_COUNTS if counts is None else counts)
    if any(int(n) < 0 for n in counts.values()):
        raise ValueError("write_dataset counts must be >= 0, got {}".format(counts))
    settings = {"generator": "linknet_edge.synthetic", "seed": int(seed), "size": list(size),
                "counts": {k: int(v) for k, v in sorted(counts.items())}}
    root = os.path.abspath(root)
    if os.path.exists(root):
        return _reuse(root, settings)
    parent = os.path.dirname(root)
    if not os.path.isdir(parent):
        os.makedirs(parent)
    staging = tempfile.mkdtemp(prefix="." + os.path.basename(root) + ".partial-", dir=parent)
    try:
        _fill_dataset(staging, seed, size, settings)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        os.rename(staging, root)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if os.path.exists(root):  # another process finished the same folder first
            return _reuse(root, settings)
        raise
    logger.info("wrote synthetic dataset %s (%s)", root, ", ".join(
        "{} {}".format(n, k) for k, n in sorted(settings["counts"].items())))
    return root


def _fill_dataset(folder, seed, size, settings):
    for split, count in sorted(settings["counts"].items()):
        os.makedirs(os.path.join(folder, split))
        os.makedirs(os.path.join(folder, split + "annot"))
        lines = []
        for index in range(count):
            name = "synthetic_{:05d}.png".format(index)
            image, labels = render_scene(_scene_seed(seed, split, index), size)
            _write_png(os.path.join(folder, split, name), image)
            _write_png(os.path.join(folder, split + "annot", name), labels)
            lines.append("{0}/{2} {1}/{2}".format(split, split + "annot", name))
        with open(os.path.join(folder, split + ".txt"), "w") as handle:
            handle.write("".join(line + "\n" for line in lines))
    write_classes_csv(os.path.join(folder, "classes.csv"))
    with open(os.path.join(folder, _MARKER), "w") as handle:  # last: marks the folder complete
        json.dump(settings, handle, indent=1, sort_keys=True)


def _reuse(root, settings):
    marker = os.path.join(root, _MARKER)
    try:
        with open(marker) as handle:
            found = json.load(handle)
    except (IOError, OSError, ValueError):
        raise DatasetError("{}: exists but is not a complete synthetic dataset (no readable {}); "
                           "remove it or choose another folder".format(root, _MARKER))
    if found != settings:
        raise DatasetError("{}: holds a synthetic dataset with other settings ({}); remove it or "
                           "choose another folder".format(root, json.dumps(found, sort_keys=True)))
    logger.info("reusing synthetic dataset %s", root)
    return root


def write_clip(path, seed, num_frames, size=DEFAULT_SIZE, fps=15):
    """Write a driving clip as an mp4 (mp4v) and its labels; returns (video path, labels folder).

    The labels folder is the video path without its extension plus ``_labels``, holding
    ``000000.png``, ``000001.png``, ... (HxW uint8 CamVid indices), one per frame.
    """
    cv2, size = _cv2(), check_scene_size(size)
    path = os.path.abspath(path)
    labels_dir = os.path.splitext(path)[0] + "_labels"
    if os.path.isdir(labels_dir) and any(not n.endswith(".png") for n in os.listdir(labels_dir)):
        raise SinkError("{}: exists and holds more than label PNGs; remove it or choose another "
                        "clip name".format(labels_dir))
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        os.makedirs(parent)
    partial_video = path + ".partial.mp4"
    staging = tempfile.mkdtemp(prefix="." + os.path.basename(labels_dir) + ".partial-", dir=parent)
    writer = cv2.VideoWriter(partial_video, cv2.VideoWriter_fourcc(*"mp4v"), float(fps),
                             (size[1], size[0]))
    try:
        if not writer.isOpened():
            raise SinkError("{}: OpenCV cannot write an mp4v video here".format(path))
        for index, (image, labels) in enumerate(render_clip(seed, num_frames, size, fps)):
            writer.write(image)
            _write_png(os.path.join(staging, "{:06d}.png".format(index)), labels)
        writer.release()
        os.replace(partial_video, path)
        if os.path.isdir(labels_dir):
            shutil.rmtree(labels_dir)
        os.rename(staging, labels_dir)
    except BaseException:
        writer.release()
        shutil.rmtree(staging, ignore_errors=True)
        if os.path.exists(partial_video):
            os.remove(partial_video)
        raise
    logger.info("wrote %d-frame synthetic clip %s with labels in %s", num_frames, path, labels_dir)
    return path, labels_dir

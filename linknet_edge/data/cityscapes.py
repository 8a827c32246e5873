"""Cityscapes reader: ``leftImg8bit`` images with ``gtFine`` labelIds mapped to the 19 train ids.

Layout (Cityscapes' own)::

    root/leftImg8bit/<split>/<city>/<city>_<seq>_<frame>_leftImg8bit.png
    root/gtFine/<split>/<city>/<city>_<seq>_<frame>_gtFine_labelIds.png
    root/gtFine/<split>/<city>/<city>_<seq>_<frame>_gtFine_instanceIds.png   (uint16, optional)

The official labelId -> trainId table (cityscapesscripts ``helpers/labels.py``) is embedded so
nothing from cityscapesscripts is imported at run time; void is 255. Instance ids are
``labelId * 1000 + k`` for objects of instance classes, used for the instance-weighted iIoU.
"""

import os

import numpy as np

from ..errors import DatasetError
from .reader import SegmentationReader, read_label_file, require_folder

__all__ = ["CityscapesReader", "CITYSCAPES_CLASSES", "CITYSCAPES_VOID", "CITYSCAPES_SIZE",
           "LABEL_TO_TRAIN_ID", "label_ids_to_train_ids"]

#: The 19 train ids in index order, with Cityscapes' display colours (RGB).
CITYSCAPES_CLASSES = (
    ("road", (128, 64, 128)), ("sidewalk", (244, 35, 232)), ("building", (70, 70, 70)),
    ("wall", (102, 102, 156)), ("fence", (190, 153, 153)), ("pole", (153, 153, 153)),
    ("traffic light", (250, 170, 30)), ("traffic sign", (220, 220, 0)),
    ("vegetation", (107, 142, 35)), ("terrain", (152, 251, 152)), ("sky", (70, 130, 180)),
    ("person", (220, 20, 60)), ("rider", (255, 0, 0)), ("car", (0, 0, 142)),
    ("truck", (0, 0, 70)), ("bus", (0, 60, 100)), ("train", (0, 80, 100)),
    ("motorcycle", (0, 0, 230)), ("bicycle", (119, 11, 32)),
)
#: The void label value of train ids.
CITYSCAPES_VOID = 255
#: The default network input (H, W): half of 2048x1024.
CITYSCAPES_SIZE = (512, 1024)
_CLASSES, _VOID = CITYSCAPES_CLASSES, CITYSCAPES_VOID
_IMAGE_SUFFIX = "_leftImg8bit.png"

#: Official labelId (0..33) -> trainId (0..18, 255 = void).
LABEL_TO_TRAIN_ID = (
    255, 255, 255, 255, 255, 255, 255,  # unlabeled, ego vehicle, rectification border,
                                        # out of roi, static, dynamic, ground
    0, 1, 255, 255,                     # road, sidewalk, parking, rail track
    2, 3, 4, 255, 255, 255,             # building, wall, fence, guard rail, bridge, tunnel
    5, 255, 6, 7,                       # pole, polegroup, traffic light, traffic sign
    8, 9, 10,                           # vegetation, terrain, sky
    11, 12,                             # person, rider
    13, 14, 15, 255, 255, 16, 17, 18,   # car, truck, bus, caravan, trailer, train, motorcycle,
                                        # bicycle
)
_LUT = np.full(256, 255, np.uint8)
_LUT[:len(LABEL_TO_TRAIN_ID)] = LABEL_TO_TRAIN_ID


def label_ids_to_train_ids(label_ids, path="labels"):
    """HxW uint8 Cityscapes labelIds -> HxW uint8 train ids; unknown ids raise ``DatasetError``."""
    bad = np.unique(label_ids[label_ids >= len(LABEL_TO_TRAIN_ID)])
    if bad.size:
        raise DatasetError("{}: labelIds {} are not Cityscapes label ids (0..{})".format(
            path, ", ".join(str(v) for v in bad[:8]), len(LABEL_TO_TRAIN_ID) - 1))
    return _LUT[label_ids]


class CityscapesReader(SegmentationReader):
    """Cityscapes fine annotations, 19 classes, void = 255, with instance maps when present."""

    kind = "cityscapes"
    preset = "cityscapes"

    def __init__(self, root, split, size=None):
        require_folder(root, "Cityscapes")
        image_root = os.path.join(root, "leftImg8bit", split)
        if not os.path.isdir(image_root):
            found = sorted(os.listdir(os.path.join(root, "leftImg8bit"))) \
                if os.path.isdir(os.path.join(root, "leftImg8bit")) else []
            raise DatasetError("{}: split folder not found (splits here: {})".format(
                image_root, ", ".join(found) or "none"))
        label_root = require_folder(os.path.join(root, "gtFine", split), "Cityscapes gtFine")
        pairs, self._instances = [], []
        for city in sorted(os.listdir(image_root)):
            city_dir = os.path.join(image_root, city)
            if not os.path.isdir(city_dir):
                continue
            for name in sorted(os.listdir(city_dir)):
                if not name.endswith(_IMAGE_SUFFIX):
                    continue
                stem = os.path.join(label_root, city, name[:-len(_IMAGE_SUFFIX)] + "_gtFine_")
                if not os.path.isfile(stem + "labelIds.png"):
                    raise DatasetError("{}: no label file {}".format(
                        os.path.join(city_dir, name), stem + "labelIds.png"))
                pairs.append((os.path.join(city_dir, name), stem + "labelIds.png"))
                instance = stem + "instanceIds.png"
                self._instances.append(instance if os.path.isfile(instance) else None)
        super(CityscapesReader, self).__init__(root, split, pairs, [c[0] for c in _CLASSES],
                                               [c[1] for c in _CLASSES], _VOID, size)

    def _decode_labels(self, i):
        path = self._pairs[i][1]
        return label_ids_to_train_ids(read_label_file(path), path)

    def _instance_path(self, i):
        return self._instances[i]

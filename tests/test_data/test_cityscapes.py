"""Cityscapes reader on the real frame: label table, train ids, instance maps."""

import os
import shutil

import cv2
import numpy as np
import pytest

from linknet_edge.data import open_dataset
from linknet_edge.data.cityscapes import LABEL_TO_TRAIN_ID
from linknet_edge.errors import DatasetError
from linknet_edge.data import preset_spec
from tests.markers import data_path, requires_data

CITYSCAPES = data_path("cityscapes")
requires_cityscapes = pytest.mark.skipif(not os.path.isdir(CITYSCAPES),
                                         reason="real Cityscapes frame not found")


def test_table_matches_cityscapesscripts():
    labels = pytest.importorskip("cityscapesscripts.helpers.labels",
                                 reason="cityscapesscripts is not installed")
    for label in labels.labels:
        if label.id >= 0:
            expected = 255 if label.trainId in (-1, 255) else label.trainId
            assert LABEL_TO_TRAIN_ID[label.id] == expected, label.name
            if expected != 255:
                assert preset_spec("cityscapes").class_names[expected] == label.name


@requires_data
@requires_cityscapes
def test_real_frame_train_ids_and_instances():
    reader = open_dataset("cityscapes", CITYSCAPES, "val")
    assert len(reader) == 1 and reader.ignore_index == 255
    image, labels = reader.read(0)
    assert image.shape == (128, 256, 3) and labels.dtype == np.uint8
    given = cv2.imread(reader.paths(0)[1].replace("labelIds", "labelTrainIds"),
                       cv2.IMREAD_UNCHANGED)
    ids = cv2.imread(reader.paths(0)[1], cv2.IMREAD_UNCHANGED)
    # The shared labelTrainIds was downscaled on its own grid: object borders (77 of 32768
    # pixels) shift by a pixel or two. Where a pixel's 5x5 neighbourhood is one labelId the
    # mapping must agree exactly.
    kernel = np.ones((5, 5), np.uint8)
    uniform = cv2.erode(ids, kernel) == cv2.dilate(ids, kernel)
    assert uniform.mean() > 0.6 and np.array_equal(labels[uniform], given[uniform])
    assert np.mean(labels == given) > 0.99
    instances = reader.instance_map(0)
    assert instances.dtype == np.int32 and instances.shape == labels.shape
    assert np.array_equal(np.where(instances >= 1000, instances // 1000, instances), ids)
    small = open_dataset("cityscapes", CITYSCAPES, "val", size=(64, 128))
    assert small.read(0)[1].shape == (64, 128) and small.instance_map(0).shape == (64, 128)
    assert set(np.unique(small.instance_map(0))) <= set(np.unique(instances))


@requires_data
@requires_cityscapes
def test_missing_label_and_bad_ids_are_reported(tmp_path):
    root = tmp_path / "cs"
    shutil.copytree(CITYSCAPES, str(root))
    with pytest.raises(DatasetError, match="leftImg8bit/train: split folder not found .*val"):
        open_dataset("cityscapes", str(root), "train")
    label = root / "gtFine" / "val" / "frankfurt" / "frankfurt_000000_000294_gtFine_labelIds.png"
    ids = cv2.imread(str(label), cv2.IMREAD_UNCHANGED)
    ids[5, 5] = 40
    cv2.imwrite(str(label), ids)
    with pytest.raises(DatasetError, match="labelIds.png: labelIds 40 are not Cityscapes"):
        open_dataset("cityscapes", str(root), "val").read(0)
    os.remove(str(label))
    with pytest.raises(DatasetError, match="leftImg8bit.png: no label file .*labelIds.png"):
        open_dataset("cityscapes", str(root), "val")

"""The folder dataset: images/, masks/, classes.csv, optional split lists."""

import os

import cv2
import numpy as np
import pytest

from linknet_edge.data import open_dataset
from linknet_edge.errors import DatasetError


def _folder(tmp_path, classes="index,name,r,g,b\n0,ground,0,0,0\n1,thing,255,0,0\n"):
    root = tmp_path / "own"
    os.makedirs(str(root / "images"))
    os.makedirs(str(root / "masks"))
    rng = np.random.RandomState(1)
    for i, ext in enumerate([".png", ".jpg", ".png"]):
        cv2.imwrite(str(root / "images" / "f{}{}".format(i, ext)),
                    rng.randint(0, 255, (40, 48, 3)).astype(np.uint8))
        mask = rng.randint(0, 2, (40, 48)).astype(np.uint8)
        mask[0, 0] = 255
        cv2.imwrite(str(root / "masks" / "f{}.png".format(i)), mask)
    (root / "classes.csv").write_text(classes)
    return root


def test_reads_pairs_classes_and_splits(tmp_path):
    root = _folder(tmp_path)
    reader = open_dataset("folder", str(root), "all")
    assert len(reader) == 3 and reader.class_names == ["ground", "thing"]
    assert reader.colors == [(0, 0, 0), (255, 0, 0)] and reader.ignore_index == 255
    image, labels = reader.read(1)
    assert image.shape == (40, 48, 3) and labels[0, 0] == 255
    assert os.path.basename(reader.paths(1)[0]) == "f1.jpg"
    spec = reader.make_spec(input_size=(64, 64))
    assert spec.class_names == ["ground", "thing"] and spec.ignore_index == 255
    (root / "val.txt").write_text(u"f2\nf0.png\n")
    val = open_dataset("folder", str(root), "val")
    assert [os.path.basename(val.paths(i)[1]) for i in range(2)] == ["f2.png", "f0.png"]
    with pytest.raises(DatasetError, match="train.txt: split file not found .*val, all"):
        open_dataset("folder", str(root), "train")


def test_void_row_and_label_checks(tmp_path):
    root = _folder(tmp_path, "index,name\n0,ground\n1,thing\n2,thing2\n255,void\n")
    reader = open_dataset("folder", str(root), "all")
    assert reader.ignore_index == 255 and len(reader.colors) == 3
    (root / "classes.csv").write_text(u"index,name\n0,ground\n1,thing\n7,void\n")
    with pytest.raises(DatasetError, match=r"f0.png: label values 255 are outside the classes "
                                           r"0..1 \(void is 7\)"):
        open_dataset("folder", str(root), "all").read(0)
    (root / "classes.csv").write_text(u"index,name\n0,ground\n2,thing\n")
    with pytest.raises(DatasetError, match="classes.csv: class indices must be 0..C-1"):
        open_dataset("folder", str(root), "all")
    (root / "classes.csv").write_text(u"index,name\n0,ground\n1,thing\n")
    os.remove(str(root / "images" / "f2.png"))
    with pytest.raises(DatasetError, match=r"masks/f2.png: label file without an image"):
        open_dataset("folder", str(root), "all")
    os.rename(str(root / "masks"), str(root / "labels"))
    with pytest.raises(DatasetError, match="masks: masks folder not found"):
        open_dataset("folder", str(root), "all")

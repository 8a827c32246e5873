"""CamVid readers on the real SegNet frames, and the 32-colour layout built from them."""

import os
import shutil

import cv2
import numpy as np
import pytest

from linknet_edge.data import class_frequencies, open_dataset
from linknet_edge.data.camvid import CAMVID_COLOR_GROUPS, camvid32_split
from linknet_edge.errors import DatasetError
from linknet_edge.data import preset_spec
from tests.markers import data_path, requires_data

CAMVID = data_path("camvid")
FRAMES = ["0016E5_07959", "0016E5_07961", "0016E5_07963"]


def _segnet_copy(tmp_path, frames=FRAMES, split="val"):
    """A SegNet-layout folder with a few real val frames (no list file: pairs by folder)."""
    root = tmp_path / "camvid"
    for folder in (split, split + "annot"):
        os.makedirs(str(root / folder))
        for frame in frames:
            shutil.copy(os.path.join(CAMVID, "val" if folder == split else "valannot",
                                     frame + ".png"), str(root / folder / (frame + ".png")))
    return root


@requires_data
def test_segnet_layout_reads_real_frames_with_list_file():
    reader = open_dataset("camvid", CAMVID, "val")
    assert len(reader) == 101 and reader.class_names == preset_spec("camvid").class_names
    image, labels = reader.read(0)
    assert image.shape == (360, 480, 3) and image.dtype == np.uint8
    assert labels.shape == (360, 480) and labels.dtype == np.uint8
    truth = cv2.imread(reader.paths(0)[1], cv2.IMREAD_UNCHANGED)
    assert np.array_equal(labels, truth)
    assert np.array_equal(image, cv2.imread(reader.paths(0)[0])[..., ::-1])
    assert set(np.unique(labels)) <= set(range(12)) and reader.ignore_index == 11
    assert reader.instance_map(0) is None
    assert reader.make_spec() == preset_spec("camvid")


@requires_data
def test_size_resizes_labels_with_nearest_only(tmp_path):
    reader = open_dataset("camvid", str(_segnet_copy(tmp_path)), "val", size=(64, 96))
    image, labels = reader.read(1)
    assert image.shape == (64, 96, 3) and labels.shape == (64, 96)
    native = cv2.imread(reader.paths(1)[1], cv2.IMREAD_UNCHANGED)
    assert set(np.unique(labels)) <= set(np.unique(native))   # no blended values
    assert np.array_equal(labels, cv2.resize(native, (96, 64), interpolation=cv2.INTER_NEAREST))


@requires_data
def test_errors_name_the_file(tmp_path):
    root = _segnet_copy(tmp_path)
    with pytest.raises(DatasetError, match="no split 'test'.*found: val"):
        open_dataset("camvid", str(root), "test")
    os.remove(str(root / "valannot" / (FRAMES[0] + ".png")))
    with pytest.raises(DatasetError, match=FRAMES[0] + r"\.png.*without labels"):
        open_dataset("camvid", str(root), "val")
    shutil.copy(os.path.join(CAMVID, "valannot", FRAMES[1] + ".png"),
                str(root / "valannot" / (FRAMES[0] + ".png")))
    bad = cv2.imread(str(root / "valannot" / (FRAMES[1] + ".png")), cv2.IMREAD_UNCHANGED)
    bad[0, :3] = (12, 40, 11)
    cv2.imwrite(str(root / "valannot" / (FRAMES[1] + ".png")), bad)
    (root / "val" / (FRAMES[2] + ".png")).write_bytes(b"not a png")
    reader = open_dataset("camvid", str(root), "val")       # labels are checked lazily
    with pytest.raises(DatasetError, match=FRAMES[1] + r"\.png: label values 12, 40 are outside"):
        reader.read(1)
    with pytest.raises(DatasetError, match=FRAMES[2] + r"\.png: cannot decode image"):
        reader.read(2)
    cv2.imwrite(str(root / "valannot" / (FRAMES[0] + ".png")), bad[1:101])
    with pytest.raises(DatasetError, match=r"image is 480x360 but its labels .* are 480x100"):
        reader.read(0)


def test_unknown_kind_lists_choices():
    with pytest.raises(DatasetError, match="camvid, camvid32, cityscapes, folder"):
        open_dataset("cv", "/nowhere", "val")


def test_segnet_split_rule_by_sequence():
    assert camvid32_split("0016E5_07959") == "val" and camvid32_split("0016E5_08160") == "train"
    assert camvid32_split("0001TP_008520") == "train" and camvid32_split("0001TP_008550") == "test"
    assert camvid32_split("Seq05VD_f00000") == "test" and camvid32_split("0006R0_f00930") == "train"
    assert camvid32_split("holiday_0001") is None


def _to_colors(labels, rng):
    """11-class labels -> CamVid 32-class colours, using every colour of a class's group."""
    out = np.zeros(labels.shape + (3,), np.uint8)              # void -> Void (0, 0, 0)
    pick = rng.randint(0, 5, size=labels.shape)
    for index, group in enumerate(CAMVID_COLOR_GROUPS):
        for k, (_, color) in enumerate(group):
            out[(labels == index) & (pick % len(group) == k)] = color
    return out


@requires_data
def test_camvid32_colour_labels_map_back_to_segnet_classes(tmp_path):
    rng = np.random.RandomState(0)
    root = tmp_path / "camvid32"
    os.makedirs(str(root / "701_StillsRaw_full"))
    os.makedirs(str(root / "LabeledApproved_full"))
    frames = {"val": FRAMES[:2], "train": ["0001TP_006690", "0006R0_f00930"]}
    expected = {}
    for split, names in frames.items():
        for name in names:
            folder = "val" if split == "val" else "train"
            shutil.copy(os.path.join(CAMVID, folder, name + ".png"),
                        str(root / "701_StillsRaw_full" / (name + ".png")))
            labels = cv2.imread(os.path.join(CAMVID, folder + "annot", name + ".png"),
                                cv2.IMREAD_UNCHANGED)
            colors = _to_colors(labels, rng)
            colors[:4, :4] = (1, 2, 3)                          # not a CamVid colour -> void
            labels[:4, :4] = 11
            cv2.imwrite(str(root / "LabeledApproved_full" / (name + "_L.png")), colors[..., ::-1])
            expected[name] = labels
    for split, names in frames.items():
        reader = open_dataset("camvid32", str(root), split)
        assert [os.path.basename(reader.paths(i)[0])[:-4] for i in range(len(reader))] == \
            sorted(names)
        for i in range(len(reader)):
            name = os.path.basename(reader.paths(i)[0])[:-4]
            assert np.array_equal(reader.read(i)[1], expected[name])
    assert len(open_dataset("camvid32", str(root), "train")) == 2
    (root / "test.txt").write_text(u"/SegNet/CamVid/test/0001TP_006690.png x\n")
    assert len(open_dataset("camvid32", str(root), "test")) == 1


@requires_data
def test_class_frequencies_exclude_void(tmp_path):
    reader = open_dataset("camvid", str(_segnet_copy(tmp_path)), "val")
    shares = class_frequencies(reader)
    counts = sum(np.bincount(reader.read(i)[1].ravel(), minlength=12) for i in range(3))
    assert shares.dtype == np.float64 and shares.shape == (11,)
    np.testing.assert_allclose(shares, counts[:11] / counts[:11].sum())

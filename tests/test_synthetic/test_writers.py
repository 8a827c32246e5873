"""Writing the synthetic CamVid-layout dataset and the driving clip, and reading them back."""

import os

import cv2
import numpy as np
import pytest

from linknet_edge.data import open_dataset
from linknet_edge.errors import DatasetError
from linknet_edge.data.synthetic import render_clip, write_classes_csv, write_clip, write_dataset
from tests.markers import data_path, requires_data

SIZE = (64, 96)
COUNTS = {"train": 3, "val": 2}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return write_dataset(str(tmp_path_factory.mktemp("synthetic") / "camvid"), seed=5, size=SIZE,
                         counts=COUNTS)


def test_dataset_has_the_camvid_segnet_layout(dataset):
    names = sorted(os.listdir(dataset))
    assert names == sorted(["train", "trainannot", "val", "valannot", "train.txt", "val.txt",
                            "classes.csv", "synthetic.json"])
    for split, count in COUNTS.items():
        with open(os.path.join(dataset, split + ".txt")) as handle:
            pairs = [line.split() for line in handle.read().splitlines()]
        assert len(pairs) == count and len(os.listdir(os.path.join(dataset, split))) == count
        for image_path, label_path in pairs:
            assert image_path.startswith(split + "/")
            assert label_path == image_path.replace(split + "/", split + "annot/")
            image = cv2.imread(os.path.join(dataset, image_path), cv2.IMREAD_UNCHANGED)
            labels = cv2.imread(os.path.join(dataset, label_path), cv2.IMREAD_UNCHANGED)
            assert image.shape == SIZE + (3,) and labels.shape == SIZE
            assert labels.dtype == np.uint8 and labels.max() <= 11


def test_classes_csv_lists_the_camvid_classes(tmp_path):
    path = str(tmp_path / "classes.csv")
    write_classes_csv(path)
    with open(path) as handle:
        rows = handle.read().splitlines()
    assert rows[0] == "index,name,r,g,b" and len(rows) == 13
    assert rows[4] == "3,Road,128,64,128" and rows[12] == "11,Unlabelled,0,0,0"


@requires_data
def test_classes_csv_equals_the_real_camvid_one(dataset):
    with open(os.path.join(dataset, "classes.csv")) as mine, \
            open(data_path("camvid", "classes.csv")) as real:
        assert mine.read().split() == real.read().split()


def test_the_camvid_reader_reads_it_unchanged(dataset):
    reader = open_dataset("camvid", dataset, "train", size=SIZE)
    assert len(reader) == COUNTS["train"] and reader.num_classes == 11
    image, labels = reader.read(0)
    on_disk = cv2.imread(os.path.join(dataset, "train", "synthetic_00000.png"))
    assert np.array_equal(image, on_disk[..., ::-1])  # the reader gives RGB
    assert np.array_equal(labels, cv2.imread(
        os.path.join(dataset, "trainannot", "synthetic_00000.png"), cv2.IMREAD_UNCHANGED))


def test_rewriting_reuses_a_complete_dataset_and_refuses_a_different_one(dataset):
    stamp = os.path.getmtime(os.path.join(dataset, "train", "synthetic_00000.png"))
    assert write_dataset(dataset, seed=5, size=SIZE, counts=COUNTS) == dataset
    assert os.path.getmtime(os.path.join(dataset, "train", "synthetic_00000.png")) == stamp
    with pytest.raises(DatasetError, match="other settings"):
        write_dataset(dataset, seed=6, size=SIZE, counts=COUNTS)
    # only the finished folder is left beside it: no half-written staging folders
    assert os.listdir(os.path.dirname(dataset)) == [os.path.basename(dataset)]


def test_a_folder_without_the_completion_marker_is_reported(tmp_path):
    partial = tmp_path / "partial"
    (partial / "train").mkdir(parents=True)
    with pytest.raises(DatasetError, match="not a complete synthetic dataset"):
        write_dataset(str(partial), size=SIZE, counts=COUNTS)
    assert os.listdir(str(partial)) == ["train"]


def test_clip_has_the_requested_frames_and_one_label_png_each(tmp_path):
    video, labels_dir = write_clip(str(tmp_path / "drive.mp4"), seed=3, num_frames=6, size=SIZE)
    assert labels_dir == str(tmp_path / "drive_labels")
    capture = cv2.VideoCapture(video)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    assert len(frames) == 6 and frames[0].shape == SIZE + (3,)
    assert sorted(os.listdir(labels_dir)) == ["{:06d}.png".format(i) for i in range(6)]
    for i, (image, labels) in enumerate(render_clip(3, 6, SIZE)):
        written = cv2.imread(os.path.join(labels_dir, "{:06d}.png".format(i)), cv2.IMREAD_UNCHANGED)
        assert np.array_equal(written, labels)
        assert np.abs(frames[i].astype(np.int16) - image).mean() < 20  # lossy, same picture
    assert sorted(os.listdir(str(tmp_path))) == ["drive.mp4", "drive_labels"]

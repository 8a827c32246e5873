"""Augmentation: a real left-right flip, random scale with crop/pad, labels never blended."""

import numpy as np
import pytest

from tests.markers import data_path, requires_data

from linknet_edge.training.augment import augment_pair, flip_horizontal, scale_crop


def _pair():
    image = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    labels = np.array([[0, 1, 2, 3, 4, 5]] * 4, dtype=np.uint8)
    labels[0] = 9
    return image, labels


def test_flip_horizontal_mirrors_image_and_labels_left_right():
    image, labels = _pair()
    flipped_image, flipped_labels = flip_horizontal(image, labels)
    assert np.array_equal(flipped_image[:, 0], image[:, -1])
    assert np.array_equal(flipped_image[:, -1], image[:, 0])
    assert np.array_equal(flipped_labels[1], [5, 4, 3, 2, 1, 0])
    assert np.array_equal(flipped_labels[0], labels[0])  # rows stay where they were: not vertical
    assert np.array_equal(flipped_image[0], image[0][::-1])


def test_shrinking_pads_labels_with_void_and_image_with_fill():
    image = np.full((32, 32, 3), 200, np.uint8)
    labels = np.full((32, 32), 4, np.uint8)
    out_image, out_labels = scale_crop(image, labels, (32, 32), 0.5, np.random.RandomState(0),
                                       void=11, fill=(124, 116, 104))
    assert out_image.shape == (32, 32, 3) and out_labels.shape == (32, 32)
    assert (out_labels == 4).sum() == 16 * 16 and (out_labels == 11).sum() == 32 * 32 - 256
    assert np.array_equal(out_image[out_labels == 11][0], [124, 116, 104])


def test_enlarging_crops_back_to_size_with_nearest_labels():
    labels = np.zeros((32, 32), np.uint8)
    labels[:, 16:] = 7
    image = np.zeros((32, 32, 3), np.uint8)
    _, out_labels = scale_crop(image, labels, (32, 32), 1.25, np.random.RandomState(1), void=11)
    assert out_labels.shape == (32, 32)
    assert set(np.unique(out_labels)) <= {0, 7}


@requires_data
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_augmented_camvid_frame_keeps_label_values_and_repeats_per_seed(seed):
    import cv2
    image = cv2.imread(data_path("camvid", "train", "0001TP_006690.png"))[..., ::-1]
    labels = cv2.imread(data_path("camvid", "trainannot", "0001TP_006690.png"), 0)
    first = augment_pair(image, labels, (96, 128), np.random.RandomState(seed), void=11)
    again = augment_pair(image, labels, (96, 128), np.random.RandomState(seed), void=11)
    assert first[0].shape == (96, 128, 3) and first[1].shape == (96, 128)
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert set(np.unique(first[1])) <= set(np.unique(labels)) | {11}

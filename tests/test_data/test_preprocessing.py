"""The network input per artifact form and the shrink filters (``linknet_edge.preprocessing``)."""

import os

import cv2
import numpy as np
import pytest

from linknet_edge.data import preset_spec
from linknet_edge.preprocessing import (SHRINK_FILTER, batch_shape, prepare_batch, resize_image,
                                        to_network_input, to_uint8_input)
from tests.markers import data_path


@pytest.fixture(scope="module")
def frame():
    path = data_path("camvid", "val", "0016E5_07959.png")
    if not os.path.isfile(path):
        pytest.skip("real data not found at ../shared/data")
    return cv2.imread(path)  # 480x360 BGR


def test_halving_ends_in_an_exact_2x_step_which_equals_inter_area(frame):
    area = cv2.resize(frame, (240, 180), interpolation=cv2.INTER_AREA)
    assert np.array_equal(resize_image(frame, (180, 240), shrink="halving"), area)


def test_halving_averages_every_pixel_where_one_linear_step_aliases():
    """A 1-pixel checkerboard shrunk from 1280x720: the 2x2 means see every pixel (grey, as
    INTER_AREA gives), one INTER_LINEAR step of 2.7x samples a few and keeps a pattern."""
    board = (np.indices((720, 1280)).sum(axis=0) % 2 * 255).astype(np.uint8)
    board = np.dstack([board] * 3)
    for size in ((352, 480), (160, 224)):
        spread = dict((name, resize_image(board, size, shrink=name).std())
                      for name in ("area", "linear", "halving"))
        assert spread["area"] < 2 and spread["halving"] < 2, spread
        assert spread["linear"] > 20, spread


def test_halving_stays_close_to_inter_area_on_a_real_frame(frame):
    big = cv2.resize(frame, (1280, 720), interpolation=cv2.INTER_LINEAR)
    for size in ((352, 480), (160, 224)):
        area = resize_image(big, size, shrink="area").astype(int)
        halving = np.abs(resize_image(big, size, shrink="halving") - area).mean()
        linear = np.abs(resize_image(big, size, shrink="linear") - area).mean()
        assert halving < 0.7 * linear, (size, halving, linear)


def test_the_default_filter_serves_training_and_runtime_alike(frame):
    spec = preset_spec("camvid", input_size=(160, 224))
    assert SHRINK_FILTER == "halving"
    expected = resize_image(frame, (160, 224), shrink="halving")
    assert np.array_equal(to_uint8_input([frame], (160, 224))[0], expected)
    float_batch = to_network_input([frame], spec)
    assert np.array_equal(float_batch, to_network_input([frame], spec, shrink="halving"))


def test_each_form_gets_its_own_batch(frame):
    spec = preset_spec("camvid", input_size=(160, 224))
    shapes = {}
    for form in ("float", "uint8", "raw"):
        batch = prepare_batch([frame, frame], spec.replace(input_form=form))
        assert batch.shape == batch_shape(spec.replace(input_form=form), 2)
        shapes[form] = (batch.shape, batch.dtype.name)
    assert shapes == {"float": ((2, 3, 160, 224), "float32"),
                      "uint8": ((2, 160, 224, 3), "uint8"),
                      "raw": ((2, 3, 160, 224), "float32")}
    raw = prepare_batch([frame], spec.replace(input_form="raw"))[0]
    uint8 = prepare_batch([frame], spec.replace(input_form="uint8"))[0]
    assert np.array_equal(raw, uint8[..., ::-1].transpose(2, 0, 1).astype(np.float32))

"""Overlay colours come from the spec (RGB) and land in BGR frames."""

import numpy as np
import pytest

from linknet_edge.runtime.postprocess import colorize, draw_overlay

from .conftest import make_spec


@pytest.fixture
def spec():
    return make_spec()   # colours (0,0,0), (128,64,128), (0,0,142) in RGB


def test_colorize_turns_rgb_spec_colours_into_bgr_pixels(spec):
    classes = np.array([[0, 1], [2, 9]], dtype=np.int32)
    image = colorize(classes, spec)
    assert image.dtype == np.uint8 and image.shape == (2, 2, 3)
    assert tuple(image[0, 1]) == (128, 64, 128)[::-1]
    assert tuple(image[1, 0]) == (142, 0, 0)
    assert tuple(image[1, 1]) == (0, 0, 0)   # outside the classes: black


def test_alpha_blends_and_mask_only_replaces_the_frame(spec):
    frame = np.full((4, 6, 3), 200, dtype=np.uint8)
    classes = np.full((4, 6), 2, dtype=np.int32)
    half = draw_overlay(frame, classes, spec, alpha=0.5)
    np.testing.assert_allclose(half[0, 0], [(200 + 142) / 2, 100, 100], atol=1)
    assert (draw_overlay(frame, classes, spec, alpha=0.0) == frame).all()
    assert (draw_overlay(frame, classes, spec, mask_only=True)[0, 0] == (142, 0, 0)).all()
    assert frame[0, 0, 0] == 200   # the input is not modified


def test_legend_draws_the_present_classes_in_a_corner(spec):
    frame = np.full((240, 320, 3), 255, dtype=np.uint8)
    classes = np.zeros((240, 320), dtype=np.int32)
    classes[:, 160:] = 2
    plain = draw_overlay(frame, classes, spec, alpha=0.0)
    with_legend = draw_overlay(frame, classes, spec, alpha=0.0, legend=True)
    changed = np.argwhere((plain != with_legend).any(axis=2))
    assert len(changed) > 100
    assert changed[:, 0].max() < 80 and changed[:, 1].max() < 200   # top-left corner only
    assert (with_legend == (142, 0, 0)).all(axis=2).any()             # the car swatch


def test_a_class_map_of_another_size_is_refused(spec):
    with pytest.raises(ValueError, match="does not match"):
        draw_overlay(np.zeros((4, 4, 3), np.uint8), np.zeros((2, 2), np.int32), spec)

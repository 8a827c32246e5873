"""Overlay colours come from the spec (RGB) and land in BGR frames."""

import numpy as np
import pytest

from linknet_edge.runtime.postprocess import colorize, draw_overlay, labels_to_frame

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


def test_legend_draws_the_classes_in_a_corner(spec):
    frame = np.full((240, 320, 3), 255, dtype=np.uint8)
    classes = np.zeros((240, 320), dtype=np.int32)
    classes[:, 160:] = 2
    plain = draw_overlay(frame, classes, spec, alpha=0.0)
    with_legend = draw_overlay(frame, classes, spec, alpha=0.0, legend=True)
    changed = np.argwhere((plain != with_legend).any(axis=2))
    assert len(changed) > 100
    assert changed[:, 0].max() < 80 and changed[:, 1].max() < 200   # top-left corner only
    assert (with_legend == (142, 0, 0)).all(axis=2).any()             # the car swatch, bright
    road = np.array((128, 64, 128)[::-1])
    assert not (with_legend == road).all(axis=2).any()                # road absent: dimmed
    assert (with_legend == (road * 0.45).astype(int)).all(axis=2).any()


def test_legend_box_keeps_its_size_whatever_the_frame_holds(spec):
    """Issue 15 item 8: the box changed size with the classes present."""
    frame = np.full((240, 320, 3), 255, dtype=np.uint8)
    boxes = []
    for present in ([0], [0, 1, 2], [2]):
        classes = np.array(present * (240 * 320 // len(present) + 1))[:240 * 320].reshape(
            240, 320)
        out = draw_overlay(frame, classes, spec, mask_only=False, alpha=0.0, legend=True)
        dark = np.argwhere((out < 255).any(axis=2))
        boxes.append((dark.min(axis=0).tolist(), dark.max(axis=0).tolist()))
    assert boxes[0] == boxes[1] == boxes[2]


def test_class_maps_go_back_to_frame_size_as_uint8_nearest():
    from linknet_edge.runtime.postprocess import labels_to_frame
    classes = np.array([[0, 1], [2, 3]], dtype=np.int32)
    big = labels_to_frame(classes, (4, 6, 3))
    assert big.dtype == np.uint8 and big.shape == (4, 6)
    assert big[0, 0] == 0 and big[0, 5] == 1 and big[3, 0] == 2 and big[3, 5] == 3
    assert set(np.unique(big)) == {0, 1, 2, 3}  # nearest: no class invented
    assert labels_to_frame(np.full((2, 2), 300, np.int32), (4, 4)).dtype == np.uint16


def test_renderer_matches_draw_overlay_and_blends_at_network_size(spec):
    from linknet_edge.runtime.postprocess import OverlayRenderer, labels_to_frame
    frame = np.random.RandomState(0).randint(0, 256, (72, 128, 3)).astype(np.uint8)
    network = (np.arange(32 * 64).reshape(32, 64) // 300 % 3).astype(np.int32)
    classes = labels_to_frame(network, frame.shape)
    full = OverlayRenderer(spec, alpha=0.4, legend=True)(frame, classes, network)
    assert np.array_equal(full, draw_overlay(frame, classes, spec, alpha=0.4, legend=True))
    small = OverlayRenderer(spec, alpha=0.4, at_network=True)(frame, classes, network)
    assert small.shape == (32, 64, 3)
    import cv2
    shrunk = cv2.resize(frame, (64, 32), interpolation=cv2.INTER_LINEAR)
    assert np.array_equal(small, draw_overlay(shrunk, network, spec, alpha=0.4))


def test_a_class_map_of_another_size_is_refused(spec):
    with pytest.raises(ValueError, match="does not match"):
        draw_overlay(np.zeros((4, 4, 3), np.uint8), np.zeros((2, 2), np.int32), spec)


def test_smooth_class_maps_put_the_boundary_where_the_logits_cross():
    """A ramp crossing zero at x = 1.3 network pixels: upsampled 8x, the bilinear logits change
    class at frame column 14 (u = (X + 0.5) / 8 - 0.5 > 1.3), nearest at 16 (a network pixel
    edge); every row the same."""
    from linknet_edge.runtime.postprocess import logits_to_frame
    x = np.arange(4, dtype=np.float32)
    logits = np.stack([np.tile(x - 1.3, (4, 1)), np.zeros((4, 4), np.float32)])
    smooth = logits_to_frame(logits, (32, 32, 3))
    nearest = labels_to_frame(logits.argmax(axis=0), (32, 32))
    assert smooth.shape == (32, 32) and smooth.dtype == np.uint8
    assert (smooth == smooth[:1]).all() and (nearest == nearest[:1]).all()
    assert list(smooth[0]).index(0) == 14 and list(nearest[0]).index(0) == 16
    assert logits_to_frame(logits, (4, 4)).tolist() == logits.argmax(axis=0).tolist()


def test_smooth_class_maps_are_the_argmax_of_each_logit_plane_resized():
    import cv2
    from linknet_edge.runtime.postprocess import logits_to_frame
    logits = np.random.RandomState(0).randn(5, 12, 16).astype(np.float32)
    for shape in ((36, 64), (12, 16), (6, 8)):
        planes = [cv2.resize(p, shape[::-1], interpolation=cv2.INTER_LINEAR) for p in logits]
        assert (logits_to_frame(logits, shape) == np.argmax(planes, axis=0)).all()

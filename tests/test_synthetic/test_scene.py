"""Synthetic street scenes and clips: deterministic, every class, labels matching the pixels."""

import numpy as np
import pytest

from linknet_edge.errors import InputSizeError
from linknet_edge.data import PRESETS
from linknet_edge.data.synthetic import CLASS_NAMES, VOID, render_clip, render_scene

SIZE = (120, 160)
ROAD, SKY = CLASS_NAMES.index("Road"), CLASS_NAMES.index("Sky")


def test_same_seed_gives_identical_arrays_and_other_seeds_differ():
    image, labels = render_scene(3, SIZE)
    again_image, again_labels = render_scene(3, SIZE)
    other_image, other_labels = render_scene(4, SIZE)
    assert image.shape == SIZE + (3,) and image.dtype == np.uint8
    assert labels.shape == SIZE and labels.dtype == np.uint8
    assert np.array_equal(image, again_image) and np.array_equal(labels, again_labels)
    assert not np.array_equal(image, other_image)
    assert not np.array_equal(labels, other_labels)


def test_a_longer_clip_starts_with_the_shorter_clip():
    short = list(render_clip(11, 3, SIZE))
    longer = list(render_clip(11, 8, SIZE))
    assert len(short) == 3 and len(longer) == 8
    for (image, labels), (long_image, long_labels) in zip(short, longer):
        assert np.array_equal(image, long_image) and np.array_equal(labels, long_labels)
    assert np.array_equal(render_scene(11, SIZE)[1], short[0][1])


def test_every_class_appears_across_a_few_scenes_and_labels_are_in_range():
    seen = np.zeros(VOID + 1, dtype=np.int64)
    for seed in range(4):
        labels = render_scene(seed, (240, 320))[1]
        assert labels.max() <= VOID
        seen += np.bincount(labels.ravel(), minlength=VOID + 1)
    missing = [CLASS_NAMES[i] for i in range(len(CLASS_NAMES)) if seen[i] == 0]
    assert not missing
    assert seen[ROAD] > seen[CLASS_NAMES.index("Pole")]  # a street, not noise


@pytest.mark.parametrize("seed", [0, 5])
def test_labels_follow_the_drawn_shapes(seed):
    image, labels = render_scene(seed, (240, 320))
    assert labels[-1, 160] == ROAD and labels[0, 160] in (SKY, CLASS_NAMES.index("Building"),
                                                          CLASS_NAMES.index("Tree"))
    # Object outlines in the labels are edges in the image: brightness changes more across
    # label boundaries than inside regions.
    gray = image.astype(np.float32).mean(axis=2)
    step = np.abs(np.diff(gray, axis=1))
    boundary = labels[:, 1:] != labels[:, :-1]
    assert step[boundary].mean() > 2.0 * step[~boundary].mean()
    # The road is darker than the sky above it in every scene palette.
    assert gray[labels == ROAD].mean() < gray[labels == SKY].mean()


def test_pixels_never_carry_the_camvid_display_colours():
    colors = np.array([c for _, c in PRESETS["camvid"][0]], np.int16)[:, ::-1]  # BGR
    for seed in range(2):
        image, labels = render_scene(seed, SIZE)
        drawn = image.astype(np.int16)
        same = np.all(drawn == colors[np.minimum(labels, len(colors) - 1)], axis=2)
        assert same.mean() < 0.001
        # and no class is a single flat colour: texture and lighting vary inside each region
        for cls in np.unique(labels):
            region = drawn[labels == cls]
            if len(region) > 50:
                assert region.std(axis=0).max() > 2.0, CLASS_NAMES[cls]


def test_consecutive_frames_differ_but_look_alike_as_the_camera_drives_on():
    frames = list(render_clip(2, 16, SIZE))
    first, second, late = frames[0], frames[1], frames[15]
    assert not np.array_equal(first[0], second[0])
    step = np.abs(first[0].astype(np.int16) - second[0]).mean()
    drift = np.abs(first[0].astype(np.int16) - late[0]).mean()
    assert 0 < step < drift
    assert (first[1] == second[1]).mean() > 0.85
    assert (first[1] == second[1]).mean() > (first[1] == late[1]).mean()


def test_too_small_a_size_is_refused_with_the_size():
    with pytest.raises(InputSizeError, match="16x8"):
        render_scene(0, (8, 16))

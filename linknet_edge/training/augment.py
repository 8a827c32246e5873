"""Training augmentation on HWC uint8 RGB images and HW uint8 label maps (numpy and OpenCV).

Labels are only ever resized with nearest neighbour and padded with the void value, so an
augmented label map never holds a blended or invented class.
"""

import numpy as np

from ..preprocessing import resize_image, resize_labels

__all__ = ["flip_horizontal", "scale_crop", "augment_pair"]


def flip_horizontal(image, labels):
    """Mirror left-right (along the width axis) the image and its labels together."""
    return np.ascontiguousarray(image[:, ::-1]), np.ascontiguousarray(labels[:, ::-1])


def _place(array, size, top, left, fill):
    """Crop or pad ``array`` to ``size`` = (H, W); ``top``/``left`` < 0 pad, > 0 crop."""
    height, width = size
    out = np.empty((height, width) + array.shape[2:], dtype=array.dtype)
    out[...] = fill
    src_y, src_x = max(top, 0), max(left, 0)
    dst_y, dst_x = max(-top, 0), max(-left, 0)
    rows = min(array.shape[0] - src_y, height - dst_y)
    cols = min(array.shape[1] - src_x, width - dst_x)
    out[dst_y:dst_y + rows, dst_x:dst_x + cols] = array[src_y:src_y + rows, src_x:src_x + cols]
    return out


def scale_crop(image, labels, size, scale, rng, void, fill=(0, 0, 0)):
    """Resize by ``scale``, then randomly crop (if larger) or pad (if smaller) back to ``size``.

    The image is padded with ``fill`` (RGB; the dataset's mean colour normalises to 0), the labels
    with ``void``. ``rng`` is a ``numpy.random.RandomState`` choosing the window.
    """
    height, width = size
    scaled = tuple(max(1, int(round(n * scale))) for n in image.shape[:2])
    image, labels = resize_image(image, scaled), resize_labels(labels, scaled)
    top = _offset(scaled[0], height, rng)
    left = _offset(scaled[1], width, rng)
    return (_place(image, size, top, left, np.asarray(fill, dtype=image.dtype)),
            _place(labels, size, top, left, void))


def _offset(have, want, rng):
    """Crop start (>= 0) when ``have`` > ``want``; minus the pad before the image otherwise."""
    if have == want:
        return 0
    if have > want:
        return int(rng.randint(0, have - want + 1))
    return -int(rng.randint(0, want - have + 1))


def augment_pair(image, labels, size, rng, void, flip=True, scale_range=(0.75, 1.25),
                 fill=(0, 0, 0)):
    """The training augmentation: resize to ``size`` (H, W), random scale and crop/pad back,
    random horizontal flip (p=0.5). Draws from ``rng`` in a fixed order, so one seed gives one
    result."""
    image, labels = resize_image(image, size), resize_labels(labels, size)
    if scale_range is not None and scale_range[1] > scale_range[0]:
        scale = float(rng.uniform(scale_range[0], scale_range[1]))
        image, labels = scale_crop(image, labels, size, scale, rng, void, fill)
    if flip and rng.rand() < 0.5:
        image, labels = flip_horizontal(image, labels)
    return image, labels

"""Image and label resizing and the network input of each artifact form, shared by training,
export checks, calibration and the runtime.

numpy and OpenCV only. Images are HWC uint8; labels are only ever resized with nearest
neighbour. ``prepare_batch(frames_bgr, spec)`` makes the batch a model file takes, following
``spec.input_form`` (``linknet_edge.spec.INPUT_FORMS``):

- ``float``: NCHW float32 ``(x/255 - mean) / std`` in the spec's channel order (``normalize``);
- ``uint8``: NHWC uint8 BGR, the frames only resized (the graph does the rest): a quarter of
  the bytes of the float batch and no arithmetic on the host;
- ``raw``: NCHW float32 RGB 0-255 (the graph normalises).
"""

import numpy as np

__all__ = ["resize_image", "resize_labels", "normalize", "to_network_input", "to_uint8_input",
           "to_raw_input", "prepare_batch", "batch_shape", "SHRINK_FILTERS", "SHRINK_FILTER"]


def _cv2():
    import cv2
    return cv2


#: the filters a shrink may use (``resize_image``'s ``shrink``): ``area`` (INTER_AREA),
#: ``linear`` (one INTER_LINEAR: it skips pixels beyond a 2x shrink), ``halving`` (exact 2x
#: halvings while the image is at least twice the target, each the 2x2 mean, which is what
#: INTER_AREA gives there, then one INTER_LINEAR step of less than 2x)
SHRINK_FILTERS = ("area", "linear", "halving")
#: the default, for training and the runtime alike: INTER_AREA's result where it matters (2x
#: shrinks) at a fraction of its cost (figures: docs/runtime.md, "Host cost per frame")
SHRINK_FILTER = "halving"


def _halve_towards(image, height, width):
    """Halve ``image`` (an INTER_LINEAR step of exactly 2x: the mean of each 2x2 block) while it
    is at least twice (height, width)."""
    cv2 = _cv2()
    while image.shape[0] >= 2 * height and image.shape[1] >= 2 * width:
        image = cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2),
                           interpolation=cv2.INTER_LINEAR)
    return image


def resize_image(image, size, out=None, shrink=None):
    """Resize an HWC uint8 image to ``size`` = (H, W) (``out``: an array of that shape to write
    into). Shrinking uses ``shrink`` (one of ``SHRINK_FILTERS``; default ``SHRINK_FILTER``),
    enlarging bilinear."""
    height, width = size
    if image.shape[:2] == (height, width):
        if out is None:
            return image
        out[...] = image
        return out
    cv2 = _cv2()
    shrinking = height * width < image.shape[0] * image.shape[1]
    kind = (shrink or SHRINK_FILTER) if shrinking else "linear"
    if kind == "halving":
        image = _halve_towards(image, height, width)
    return cv2.resize(image, (width, height), dst=out,
                      interpolation=cv2.INTER_AREA if kind == "area" else cv2.INTER_LINEAR)


def resize_labels(labels, size):
    """Resize an HW label map to ``size`` = (H, W) with nearest neighbour (never blends classes)."""
    height, width = size
    if labels.shape[:2] == (height, width):
        return labels
    return _cv2().resize(labels, (width, height), interpolation=_cv2().INTER_NEAREST)


def _normalize_into(out, image_rgb, spec):
    """Write ``(x/255 - mean) / std`` of an HWC uint8 RGB image into a CHW float32 ``out``,
    channel by channel, with no full-size temporaries (this runs on every live frame)."""
    order = (0, 1, 2) if spec.channel_order == "RGB" else (2, 1, 0)
    for c, source in enumerate(order):
        mean = np.float32(spec.mean[c]) * np.float32(255.0)
        scale = np.float32(1.0) / (np.float32(spec.std[c]) * np.float32(255.0))
        np.subtract(image_rgb[..., source], mean, out=out[c], dtype=np.float32)
        out[c] *= scale
    return out


def normalize(image_rgb, spec):
    """HWC uint8 RGB -> CHW float32 ``(x/255 - mean) / std`` in the spec's channel order."""
    out = np.empty((3,) + image_rgb.shape[:2], dtype=np.float32)
    return _normalize_into(out, image_rgb, spec)


def to_network_input(frames_bgr, spec, size=None, shrink=None):
    """A list of HWC uint8 BGR frames (as OpenCV reads them) -> NCHW float32 network input at
    ``size`` = (H, W) (default: the spec's input size), normalised: the ``float`` form."""
    size = tuple(size or spec.input_size)
    batch = np.empty((len(frames_bgr), 3) + size, dtype=np.float32)
    for i, frame in enumerate(frames_bgr):
        _normalize_into(batch[i], resize_image(frame, size, shrink=shrink)[..., ::-1], spec)
    return batch


def to_uint8_input(frames_bgr, size, shrink=None):
    """HWC uint8 BGR frames -> (N, H, W, 3) uint8 BGR at ``size`` = (H, W): the ``uint8`` form.
    Each frame is resized straight into the batch (``shrink``: see ``resize_image``)."""
    size = tuple(size)
    batch = np.empty((len(frames_bgr),) + size + (3,), dtype=np.uint8)
    for i, frame in enumerate(frames_bgr):
        resize_image(frame, size, out=batch[i], shrink=shrink)
    return batch


def to_raw_input(frames_bgr, size, shrink=None):
    """HWC uint8 BGR frames -> (N, 3, H, W) float32 RGB 0-255 at ``size``: the ``raw`` form."""
    size = tuple(size)
    batch = np.empty((len(frames_bgr), 3) + size, dtype=np.float32)
    for i, frame in enumerate(frames_bgr):
        resized = resize_image(frame, size, shrink=shrink)
        for c in range(3):
            batch[i, c] = resized[..., 2 - c]
    return batch


def prepare_batch(frames_bgr, spec, size=None, shrink=None):
    """HWC uint8 BGR frames -> the batch an artifact of ``spec`` takes (its ``input_form``);
    ``shrink``: the filter of a shrinking resize (see ``resize_image``)."""
    size = tuple(size or spec.input_size)
    if spec.input_form == "uint8":
        return to_uint8_input(frames_bgr, size, shrink)
    if spec.input_form == "raw":
        return to_raw_input(frames_bgr, size, shrink)
    return to_network_input(frames_bgr, spec, size, shrink)


def batch_shape(spec, count, size=None):
    """The shape of a batch of ``count`` frames in ``spec.input_form`` at ``size`` (H, W)."""
    size = tuple(size or spec.input_size)
    if spec.input_form == "uint8":
        return (count,) + size + (3,)
    return (count, 3) + size

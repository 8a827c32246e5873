"""Image and label resizing and normalisation shared by training, export checks and the runtime.

numpy and OpenCV only. Images are HWC uint8; ``normalize`` takes RGB and returns the CHW float32
network input the spec describes. Labels are only ever resized with nearest neighbour.
"""

import numpy as np

__all__ = ["resize_image", "resize_labels", "normalize", "to_network_input"]


def _cv2():
    import cv2
    return cv2


def resize_image(image, size):
    """Resize an HWC image to ``size`` = (H, W): area filter when shrinking, bilinear otherwise."""
    height, width = size
    if image.shape[:2] == (height, width):
        return image
    cv2 = _cv2()
    shrink = height * width < image.shape[0] * image.shape[1]
    return cv2.resize(image, (width, height),
                      interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


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


def to_network_input(frames_bgr, spec, size=None):
    """A list of HWC uint8 BGR frames (as OpenCV reads them) -> NCHW float32 network input at
    ``size`` = (H, W) (default: the spec's input size)."""
    size = tuple(size or spec.input_size)
    batch = np.empty((len(frames_bgr), 3) + size, dtype=np.float32)
    for i, frame in enumerate(frames_bgr):
        _normalize_into(batch[i], resize_image(frame, size)[..., ::-1], spec)
    return batch

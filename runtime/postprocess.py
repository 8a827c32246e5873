"""Post-processing in one place: class maps back to frame size, coloured and blended over frames.

Frames are HWC uint8 BGR (as OpenCV reads them); the spec's colours are RGB. Class maps come
from the network at its input size and go back to the frame's size with nearest neighbour only
(a class is never blended or invented).
"""

import functools

import numpy as np

from linknet_edge.preprocessing import resize_labels

__all__ = ["labels_to_frame", "palette_bgr", "colorize", "draw_overlay", "draw_legend"]

#: colour of class indices outside the spec (void, or a model with more outputs)
UNKNOWN_BGR = (0, 0, 0)


def labels_to_frame(classes, frame_shape):
    """Resize an HW class map back to a frame's (H, W) with nearest neighbour."""
    return resize_labels(classes, tuple(frame_shape[:2]))


def palette_bgr(spec):
    """(256, 3) uint8 BGR lookup table: row c is class c's colour, rows past the classes black."""
    return _palette(_colors_key(spec))


def _colors_key(spec):
    """The spec's colours as a hashable key for ``_palette_planes``."""
    return tuple(tuple(color) for color in spec.colors)


def _palette(colors_rgb):
    table = np.zeros((256, 3), dtype=np.uint8)
    table[:] = UNKNOWN_BGR
    colors = np.asarray(colors_rgb, dtype=np.uint8).reshape(-1, 3)[:256]
    table[:len(colors)] = colors[:, ::-1]
    return table


@functools.lru_cache(maxsize=8)
def _palette_planes(colors_rgb):
    """The palette as three contiguous (256,) tables, B, G, R: built once per colour set, not
    once per frame."""
    table = _palette(colors_rgb)
    return tuple(np.ascontiguousarray(table[:, c]) for c in range(3))


def _class_index(classes):
    """(H, W) class map -> uint8 (H, W), indices past 255 clipped to 255."""
    classes = np.asarray(classes)
    return classes if classes.dtype == np.uint8 else np.clip(classes, 0, 255).astype(np.uint8)


def _colorize_index(index, spec):
    import cv2
    # one single-channel LUT per colour plane, then merge: ~1.5x faster than merging the index
    # into three planes and looking up a 3-channel table
    return cv2.merge([cv2.LUT(index, table) for table in _palette_planes(_colors_key(spec))])


def colorize(classes, spec):
    """(H, W) int class map -> (H, W, 3) uint8 BGR image in the spec's colours."""
    return _colorize_index(_class_index(classes), spec)


def draw_overlay(frame_bgr, classes, spec, alpha=0.5, mask_only=False, legend=False):
    """Blend the coloured class map over a frame: ``(1 - alpha) * frame + alpha * colours``.

    ``classes`` must have the frame's height and width (see ``labels_to_frame``). With
    ``mask_only`` the colours replace the frame. ``legend`` adds the class names in a corner.
    Returns a new HWC uint8 BGR image.
    """
    if tuple(classes.shape[:2]) != tuple(frame_bgr.shape[:2]):
        raise ValueError("class map {} does not match frame {}".format(
            classes.shape[:2], frame_bgr.shape[:2]))
    import cv2
    index = _class_index(classes)
    colours = _colorize_index(index, spec)
    if mask_only:
        out = colours
    else:
        alpha = float(min(max(alpha, 0.0), 1.0))
        out = cv2.addWeighted(frame_bgr, 1.0 - alpha, colours, alpha, 0.0)
    if legend:
        counts = cv2.calcHist([index], [0], None, [256], [0, 256]).ravel()
        _draw_legend_into(out, spec, np.flatnonzero(counts))   # ``out`` is ours: no copy
    return out


def draw_legend(image_bgr, spec, present=None):
    """Class swatches and names in the top-left corner; ``present`` limits it to those classes."""
    return _draw_legend_into(image_bgr.copy(), spec, present)


def _draw_legend_into(out, spec, present=None):
    import cv2
    present = None if present is None else set(int(i) for i in present)
    indices = [i for i in range(spec.num_classes) if present is None or i in present]
    height = out.shape[0]
    scale = max(0.35, min(0.6, height / 900.0))
    row = int(22 * scale / 0.5)
    width = 0
    for i in indices:
        (text_w, _), _ = cv2.getTextSize(spec.class_names[i], cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        width = max(width, text_w)
    box = out[4:4 + row * len(indices) + 4, 4:4 + row + width + 12]
    box[:] = (box * 0.4).astype(np.uint8)
    for k, i in enumerate(indices):
        top = 6 + k * row
        color = tuple(int(v) for v in spec.colors[i][::-1])
        cv2.rectangle(out, (8, top), (8 + row - 6, top + row - 6), color, -1)
        cv2.putText(out, spec.class_names[i], (8 + row, top + row - 8),
                    cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1, cv2.LINE_AA)
    return out

"""Colour class maps with the spec's palette and blend them over frames.

Frames are HWC uint8 BGR (as OpenCV reads them); the spec's colours are RGB.
"""

import numpy as np

__all__ = ["palette_bgr", "colorize", "draw_overlay", "draw_legend"]

#: colour of class indices outside the spec (void, or a model with more outputs)
UNKNOWN_BGR = (0, 0, 0)


def palette_bgr(spec):
    """(256, 3) uint8 BGR lookup table: row c is class c's colour, rows past the classes black."""
    table = np.zeros((256, 3), dtype=np.uint8)
    table[:] = UNKNOWN_BGR
    colors = np.asarray(spec.colors, dtype=np.uint8)[:256]
    table[:len(colors)] = colors[:, ::-1]
    return table


def colorize(classes, spec):
    """(H, W) int class map -> (H, W, 3) uint8 BGR image in the spec's colours."""
    import cv2
    classes = np.asarray(classes)
    index = classes if classes.dtype == np.uint8 else np.clip(classes, 0, 255).astype(np.uint8)
    # cv2.LUT on a 3-channel index is ~3x faster than numpy fancy indexing at video sizes
    return cv2.LUT(cv2.merge([index, index, index]), palette_bgr(spec).reshape(256, 1, 3))


def draw_overlay(frame_bgr, classes, spec, alpha=0.5, mask_only=False, legend=False):
    """Blend the coloured class map over a frame: ``(1 - alpha) * frame + alpha * colours``.

    ``classes`` must have the frame's height and width (see ``labels_to_frame``). With
    ``mask_only`` the colours replace the frame. ``legend`` adds the class names in a corner.
    Returns a new HWC uint8 BGR image.
    """
    if tuple(classes.shape[:2]) != tuple(frame_bgr.shape[:2]):
        raise ValueError("class map {} does not match frame {}".format(
            classes.shape[:2], frame_bgr.shape[:2]))
    colours = colorize(classes, spec)
    if mask_only:
        out = colours
    else:
        import cv2
        alpha = float(min(max(alpha, 0.0), 1.0))
        out = cv2.addWeighted(frame_bgr, 1.0 - alpha, colours, alpha, 0.0)
    if legend:
        counts = np.bincount(np.clip(classes, 0, 255).ravel().astype(np.intp), minlength=256)
        out = draw_legend(out, spec, present=np.flatnonzero(counts))
    return out


def draw_legend(image_bgr, spec, present=None):
    """Class swatches and names in the top-left corner; ``present`` limits it to those classes."""
    import cv2
    out = image_bgr.copy()
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

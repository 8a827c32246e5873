"""Post-processing in one place: class maps back to frame size, coloured and blended over frames.

Frames are HWC uint8 BGR (as OpenCV reads them); the spec's colours are RGB. A class map comes
from the network at its input size as int32 and goes back to the frame's size once, as uint8,
with nearest neighbour (a class is never blended or invented), or, opt-in (``run --smooth``),
as the argmax of the logits resized bilinearly (``logits_to_frame``: smooth boundaries instead
of the staircase of network pixels). Colouring is one lookup
table pass (``cv2.applyColorMap`` with the spec's palette), the overlay one blend
(``cv2.addWeighted``), and the legend a patch rendered once per spec and size and pasted: its
box lists every class, absent ones dimmed, so it keeps its size from frame to frame.
``OverlayRenderer`` is what the pipeline calls per frame; with ``at_network`` it blends at the
network's resolution instead (a quarter of the pixels at 720p: for a Jetson's small CPU cores).
Measured costs per frame: docs/runtime.md ("Host cost per frame").
"""

import functools

import numpy as np

from linknet_edge.preprocessing import resize_labels

__all__ = ["labels_to_frame", "logits_to_frame", "palette_bgr", "colorize", "draw_overlay", "draw_legend",
           "OverlayRenderer"]

#: colour of class indices outside the spec (void, or a model with more outputs)
UNKNOWN_BGR = (0, 0, 0)
#: how dark the legend box makes the picture under it, and how dim an absent class is drawn
_BOX_SHADE, _ABSENT_SHADE = 0.4, 0.45


def _class_index(classes):
    """(H, W) int class map -> uint8 (H, W), indices past 255 clipped to 255."""
    classes = np.asarray(classes)
    return classes if classes.dtype == np.uint8 else np.clip(classes, 0, 255).astype(np.uint8)


def labels_to_frame(classes, frame_shape):
    """An (H, W) class map at network size -> (H, W) uint8 at a frame's (H, W) (uint16 for a
    model with more than 256 classes): narrowed at the small size, then one nearest-neighbour
    resize."""
    classes = np.asarray(classes)
    index = classes if classes.dtype in (np.uint8, np.uint16) else classes.astype(
        np.uint8 if classes.max(initial=0) < 256 else np.uint16)
    return resize_labels(index, tuple(frame_shape[:2]))


def logits_to_frame(logits, frame_shape):
    """(C, h, w) logits at network size -> the (H, W) class map at a frame's (H, W), as the
    argmax of the logits resized bilinearly: boundaries follow the logits instead of the
    network's pixel grid. Costs C resized planes per frame (docs/runtime.md, "Smooth
    boundaries")."""
    import cv2
    logits = np.asarray(logits, dtype=np.float32)
    channels = logits.shape[0]
    height, width = frame_shape[:2]
    hwc = np.ascontiguousarray(logits.transpose(1, 2, 0))
    if hwc.shape[:2] != (height, width):
        hwc = cv2.resize(hwc, (width, height), interpolation=cv2.INTER_LINEAR)
    return labels_to_frame(hwc.reshape(height, width, channels).argmax(axis=2), frame_shape)


def palette_bgr(spec):
    """(256, 3) uint8 BGR lookup table: row c is class c's colour, rows past the classes black."""
    return _palette(_colors_key(spec)).reshape(256, 3)


def _colors_key(spec):
    """The spec's colours as a hashable key for the cached tables."""
    return tuple(tuple(color) for color in spec.colors)


@functools.lru_cache(maxsize=8)
def _palette(colors_rgb):
    """The palette as the (256, 1, 3) uint8 BGR table ``cv2.applyColorMap`` takes; built once
    per colour set, not once per frame."""
    table = np.zeros((256, 1, 3), dtype=np.uint8)
    table[:] = UNKNOWN_BGR
    colors = np.asarray(colors_rgb, dtype=np.uint8).reshape(-1, 3)[:256]
    table[:len(colors), 0] = colors[:, ::-1]
    table.setflags(write=False)
    return table


def _colorize_index(index, spec):
    import cv2
    # one table pass over a 1-channel map (measured 2.5x faster than cv2.LUT on its 3-channel
    # copy and 1.4x faster than three 1-channel LUTs merged, at 720p)
    return cv2.applyColorMap(index, _palette(_colors_key(spec)))


def colorize(classes, spec):
    """(H, W) int class map -> (H, W, 3) uint8 BGR image in the spec's colours."""
    return _colorize_index(_class_index(classes), spec)


def _blend(frame_bgr, index, spec, alpha, mask_only):
    import cv2
    colours = _colorize_index(index, spec)
    if mask_only:
        return colours
    alpha = float(min(max(alpha, 0.0), 1.0))
    return cv2.addWeighted(frame_bgr, 1.0 - alpha, colours, alpha, 0.0)


def draw_overlay(frame_bgr, classes, spec, alpha=0.5, mask_only=False, legend=False):
    """Blend the coloured class map over a frame: ``(1 - alpha) * frame + alpha * colours``.

    ``classes`` must have the frame's height and width (see ``labels_to_frame``). With
    ``mask_only`` the colours replace the frame. ``legend`` adds every class name in a corner
    (those absent from ``classes`` dimmed). Returns a new HWC uint8 BGR image.
    """
    if tuple(classes.shape[:2]) != tuple(frame_bgr.shape[:2]):
        raise ValueError("class map {} does not match frame {}".format(
            classes.shape[:2], frame_bgr.shape[:2]))
    index = _class_index(classes)
    out = _blend(frame_bgr, index, spec, alpha, mask_only)
    if legend:
        _paste_legend(out, spec, _present(index))  # ``out`` is ours: no copy
    return out


def draw_legend(image_bgr, spec, present=None):
    """Class swatches and names in the top-left corner; classes not in ``present`` (indices;
    None: all present) are dimmed. Returns a new image."""
    return _paste_legend(image_bgr.copy(), spec, present)


class OverlayRenderer(object):
    """Per-frame overlays as the pipeline draws them: ``renderer(frame_bgr, classes,
    network_classes=None)`` -> HWC uint8 BGR.

    ``classes`` is the class map at frame size (``labels_to_frame``); with ``at_network`` the
    frame is shrunk to the network's size instead and blended with ``network_classes`` (the
    class map as the network gave it), so the overlay has the network's resolution.
    """

    def __init__(self, spec, alpha=0.5, mask_only=False, legend=False, at_network=False):
        self.spec, self.alpha, self.mask_only = spec, float(alpha), bool(mask_only)
        self.legend, self.at_network = bool(legend), bool(at_network)

    def __call__(self, frame_bgr, classes, network_classes=None):
        small = None if network_classes is None else _class_index(network_classes)
        if self.at_network and small is not None:
            import cv2
            height, width = small.shape[:2]
            frame_bgr = cv2.resize(frame_bgr, (width, height), interpolation=cv2.INTER_LINEAR)
            index = small
        else:
            index = _class_index(classes)
        out = _blend(frame_bgr, index, self.spec, self.alpha, self.mask_only)
        if self.legend:  # which classes are present: counted on the small map where there is one
            _paste_legend(out, self.spec, _present(index if small is None else small))
        return out


def _present(index):
    import cv2
    counts = cv2.calcHist([index], [0], None, [256], [0, 256]).ravel()
    return np.flatnonzero(counts)


def _paste_legend(out, spec, present=None):
    """Darken the legend box of ``out`` and paste the cached legend into it, in place."""
    names = tuple(spec.class_names)
    present = tuple(range(len(names))) if present is None else tuple(
        sorted(set(int(i) for i in present if 0 <= i < len(names))))
    layer, mask = _legend(names, _colors_key(spec), out.shape[0], present)
    height, width = min(mask.shape[0], out.shape[0] - 4), min(mask.shape[1], out.shape[1] - 4)
    if height <= 0 or width <= 0:
        return out
    import cv2
    box = out[4:4 + height, 4:4 + width]
    cv2.convertScaleAbs(box, dst=box, alpha=_BOX_SHADE)  # darken in place, no float copy
    np.copyto(box, layer[:height, :width], where=mask[:height, :width])
    return out


@functools.lru_cache(maxsize=64)
def _legend(class_names, colors_rgb, image_height, present):
    """``(layer, mask)``: the legend with the rows of ``present`` bright and the others dim,
    composed once per set of classes present (which changes seldom from frame to frame)."""
    (bright, dim), mask, row = _legend_layer(class_names, colors_rgb, image_height)
    layer = dim.copy()
    for k in present:
        layer[2 + k * row:2 + (k + 1) * row] = bright[2 + k * row:2 + (k + 1) * row]
    layer.setflags(write=False)
    return layer, np.ascontiguousarray(np.broadcast_to(mask[..., None], layer.shape))


@functools.lru_cache(maxsize=16)
def _legend_layer(class_names, colors_rgb, image_height):
    """``((bright, dim), mask, row_height)``: the legend's swatches and names drawn once for an
    image ``image_height`` pixels high, every class in it (so the box never changes size)."""
    import cv2
    scale = max(0.35, min(0.6, image_height / 900.0))
    row = int(22 * scale / 0.5)
    width = max(cv2.getTextSize(name, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)[0][0]
                for name in class_names)
    shape = (row * len(class_names) + 4, row + width + 12)
    layers, mask = [], np.zeros(shape, dtype=np.uint8)
    for shade in (1.0, _ABSENT_SHADE):
        layer = np.zeros(shape + (3,), dtype=np.uint8)
        for k, (name, color) in enumerate(zip(class_names, colors_rgb)):
            top = 2 + k * row
            corners = (4, top), (4 + row - 6, top + row - 6)
            origin = (4 + row, top + row - 8)
            grey = int(255 * shade)
            cv2.rectangle(layer, corners[0], corners[1], tuple(int(v * shade) for v in
                                                               color[::-1]), -1)
            cv2.putText(layer, name, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (grey,) * 3, 1,
                        cv2.LINE_AA)
            cv2.rectangle(mask, corners[0], corners[1], 255, -1)
            cv2.putText(mask, name, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, 255, 1, cv2.LINE_AA)
        layer.setflags(write=False)
        layers.append(layer)
    mask = mask > 0
    mask.setflags(write=False)
    return tuple(layers), mask, row

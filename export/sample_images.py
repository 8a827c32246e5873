"""Images for verification and calibration: a folder, glob or list of files, or synthetic scenes.

numpy and OpenCV only. Frames come back as HWC uint8 BGR (as OpenCV reads them), ready for
``linknet_edge.preprocessing.to_network_input``, so every comparison sees the network input that
training and the runtime see.
"""

import numpy as np

from linknet_edge.images import find_images, read_image_bgr

__all__ = ["spread_evenly", "read_images", "synthetic_images", "select_images"]


def spread_evenly(items, count):
    """``count`` of ``items`` (a list or range) spread evenly over it, first and last included;
    all of them when ``count`` is None or not smaller (consecutive frames are near-duplicates)."""
    if count is None or count >= len(items):
        return list(items)
    index = np.linspace(0, len(items) - 1, num=max(int(count), 1)).round().astype(int)
    return [items[i] for i in sorted(set(index.tolist()))]


def read_images(source, count=None):
    """Read up to ``count`` images (evenly spread over the sorted list) as BGR uint8 frames."""
    return [read_image_bgr(path) for path in spread_evenly(find_images(source), count)]


def synthetic_images(count=4, size=(360, 480)):
    """``count`` deterministic synthetic street frames (BGR uint8): ``linknet_edge.data.synthetic``
    scenes of seeds 0 .. count-1.

    Structured scenes (sky, buildings, road, cars, people, sensor noise), never plain noise, so
    class maps have regions and edges as on real frames.
    """
    from linknet_edge.data.synthetic import render_scene
    return [render_scene(seed, size)[0] for seed in range(count)]


def select_images(source=None, count=4):
    """``(frames, description)``: real images from ``source`` or, without one, synthetic scenes."""
    if source is None:
        return (synthetic_images(count),
                "{} synthetic street frames (no images given: pass real ones)".format(count))
    frames = read_images(source, count)
    where = source if isinstance(source, str) else "{} files".format(len(source))
    return frames, "{} images from {}".format(len(frames), where)

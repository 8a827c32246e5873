"""Images for verification and calibration: a folder, glob or list of files, or synthetic scenes.

numpy and OpenCV only. Frames come back as HWC uint8 BGR (as OpenCV reads them), ready for
``linknet_edge.preprocessing.to_network_input``, so every comparison sees the network input that
training and the runtime see.
"""

import glob
import os

import numpy as np

from linknet_edge.errors import DatasetError

__all__ = ["IMAGE_SUFFIXES", "find_images", "read_images", "synthetic_images", "select_images"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff", ".webp")


def find_images(source):
    """Sorted image paths from a folder, a glob pattern, one file or a list of files."""
    if isinstance(source, (list, tuple)):
        paths = [str(p) for p in source]
    elif os.path.isdir(source):
        paths = [os.path.join(source, name) for name in os.listdir(source)]
    elif os.path.isfile(source):
        paths = [source]
    else:
        paths = glob.glob(source)
    paths = sorted(p for p in paths if p.lower().endswith(IMAGE_SUFFIXES) and os.path.isfile(p))
    if not paths:
        raise DatasetError("{}: no images found (looked for {})".format(
            source, ", ".join(IMAGE_SUFFIXES)))
    return paths


def _spread(paths, count):
    """``count`` paths spread evenly over the sorted list (first and last included)."""
    if count is None or count >= len(paths):
        return list(paths)
    index = np.linspace(0, len(paths) - 1, num=max(int(count), 1)).round().astype(int)
    return [paths[i] for i in sorted(set(index.tolist()))]


def read_images(source, count=None):
    """Read up to ``count`` images (evenly spread over the sorted list) as BGR uint8 frames."""
    import cv2
    frames = []
    for path in _spread(find_images(source), count):
        frame = cv2.imread(path, cv2.IMREAD_COLOR)
        if frame is None:
            raise DatasetError("{}: cannot decode image".format(path))
        frames.append(frame)
    return frames


def synthetic_images(count=4, size=(360, 480)):
    """``count`` deterministic synthetic street frames (BGR uint8) from ``linknet_edge``'s renderer.

    Structured scenes (sky, buildings, road, cars, people, sensor noise), never plain noise, so
    class maps have regions and edges as on real frames.
    """
    from linknet_edge.synthetic_scene import SceneLook, render_frame
    from linknet_edge.synthetic_street import StreetLayout
    frames = []
    for seed in range(count):
        rng = np.random.RandomState(seed)
        image, _ = render_frame(StreetLayout(seed), SceneLook(rng, size), 0.0, rng, size)
        frames.append(image)
    return frames


def select_images(source=None, count=4):
    """``(frames, description)``: real images from ``source`` or, without one, synthetic scenes."""
    if source is None:
        return (synthetic_images(count),
                "{} synthetic street frames (no images given: pass real ones)".format(count))
    frames = read_images(source, count)
    where = source if isinstance(source, str) else "{} files".format(len(source))
    return frames, "{} images from {}".format(len(frames), where)

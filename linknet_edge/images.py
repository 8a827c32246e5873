"""Finding and decoding image files: one suffix list, one reader per channel order.

``list_images`` takes a folder, a glob pattern, one file or a list of files. ``read_image_bgr``
decodes as OpenCV does (HWC uint8 BGR: what cameras, videos and the runtime use);
``read_image_rgb`` gives HWC uint8 RGB (what dataset readers, training and the spec's
normalisation use). Both raise the given error class naming the file. numpy and OpenCV only.
"""

import glob
import os

from .errors import DatasetError

__all__ = ["IMAGE_SUFFIXES", "list_images", "find_images", "require_existing", "read_image_bgr",
           "read_image_rgb"]

#: File name endings read as images (lower case).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".pgm", ".tif", ".tiff", ".webp")


def list_images(source):
    """Sorted image paths from a folder, a glob pattern, one file or a list of files; [] if none."""
    if isinstance(source, (list, tuple)):
        paths = [str(p) for p in source]
    elif os.path.isdir(source):
        paths = [os.path.join(source, name) for name in os.listdir(source)]
    elif os.path.isfile(source):
        paths = [source]
    else:
        paths = glob.glob(source)
    return sorted(p for p in paths if p.lower().endswith(IMAGE_SUFFIXES) and os.path.isfile(p))


def require_existing(source, error=DatasetError):
    """Raise ``error`` "does not exist" for a folder or file path that is missing (a glob
    pattern or a list passes); returns ``source``."""
    if isinstance(source, str) and not os.path.exists(source) and not glob.has_magic(source):
        raise error("{}: does not exist".format(source))
    return source


def find_images(source, error=DatasetError):
    """``list_images``, but an empty result raises ``error`` saying whether ``source`` exists."""
    paths = list_images(source)
    if not paths:
        require_existing(source, error)
        raise error("{}: no images found (looked for {})".format(
            source, ", ".join(IMAGE_SUFFIXES)))
    return paths


def read_image_bgr(path, error=DatasetError):
    """Decode an image file as HWC uint8 BGR, or raise ``error`` naming the file."""
    import cv2
    image = cv2.imread(path, cv2.IMREAD_COLOR) if os.path.isfile(path) else None
    if image is None:
        raise error("{}: {}".format(path, "cannot decode image (corrupt or not an image)"
                                    if os.path.isfile(path) else "image file not found"))
    return image


def read_image_rgb(path, error=DatasetError):
    """Decode an image file as HWC uint8 RGB, or raise ``error`` naming the file."""
    return read_image_bgr(path, error)[..., ::-1].copy()

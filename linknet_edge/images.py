"""Finding image files: a folder, a glob pattern, one file or a list of files. Stdlib only."""

import glob
import os

__all__ = ["IMAGE_SUFFIXES", "list_images"]

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

"""Reader for a user's own folder of image/mask pairs.

Layout::

    root/images/<stem>.png|.jpg     RGB images
    root/masks/<stem>.png           8-bit index masks (one class index per pixel)
    root/classes.csv                header ``index,name,r,g,b`` (colour columns optional)
    root/<split>.txt                optional: one stem (or file name) per line

Classes must be numbered 0..C-1. A row named void/unlabelled/unlabeled/ignore marks the void
index instead of a class (default void: 255). Without split files the split ``all`` holds every
pair; ``all`` is always accepted.
"""

import csv
import os

from ..errors import DatasetError
from .reader import SegmentationReader, listed_stems, pair_files, require_folder

__all__ = ["FolderReader", "read_classes_csv", "VOID_NAMES"]

#: Class names (lower case) that mark the void label value rather than a class.
VOID_NAMES = ("void", "unlabelled", "unlabeled", "ignore", "ignored", "none")


def read_classes_csv(path):
    """Parse ``classes.csv`` -> (class names, colours or None, void index)."""
    if not os.path.isfile(path):
        raise DatasetError("{}: class list not found (need index,name[,r,g,b] rows)".format(path))
    classes, void = {}, 255
    with open(path) as handle:
        rows = [r for r in csv.reader(handle) if r and any(c.strip() for c in r)]
    if rows and rows[0][0].strip().lower() == "index":
        rows = rows[1:]
    for line_no, row in enumerate(rows, 2):
        try:
            index = int(row[0])
            name = row[1].strip()
            color = tuple(int(v) for v in row[2:5]) if len(row) >= 5 else None
        except (ValueError, IndexError):
            raise DatasetError("{}: row {} is not index,name[,r,g,b]: {}".format(
                path, line_no, ",".join(row)))
        if not 0 <= index <= 255 or (color and not all(0 <= v <= 255 for v in color)):
            raise DatasetError("{}: row {} has a value outside 0..255: {}".format(
                path, line_no, ",".join(row)))
        if name.lower() in VOID_NAMES:
            void = index
        elif index in classes:
            raise DatasetError("{}: class index {} is listed twice".format(path, index))
        else:
            classes[index] = (name, color)
    if not classes or sorted(classes) != list(range(len(classes))):
        raise DatasetError("{}: class indices must be 0..C-1 without gaps, got {}".format(
            path, sorted(classes)))
    if void < len(classes):
        raise DatasetError("{}: void index {} is also a class".format(path, void))
    names = [classes[i][0] for i in range(len(classes))]
    colors = [classes[i][1] for i in range(len(classes))]
    return names, (None if any(c is None for c in colors) else colors), void


class FolderReader(SegmentationReader):
    """``images/`` + ``masks/`` + ``classes.csv`` (+ optional ``<split>.txt``)."""

    kind = "folder"

    def __init__(self, root, split="all", size=None):
        require_folder(root, "dataset")
        image_dir = require_folder(os.path.join(root, "images"), "images")
        mask_dir = require_folder(os.path.join(root, "masks"), "masks")
        self.classes_file = os.path.join(root, "classes.csv")
        names, colors, void = read_classes_csv(self.classes_file)
        list_file = os.path.join(root, split + ".txt")
        stems = None
        if os.path.isfile(list_file):
            stems = listed_stems(list_file)
        elif split != "all":
            found = sorted(n[:-4] for n in os.listdir(root) if n.endswith(".txt"))
            raise DatasetError("{}: split file not found (splits here: {})".format(
                list_file, ", ".join(found + ["all"])))
        pairs = pair_files(image_dir, mask_dir, lambda stem: stem + ".png", stems)
        if colors is None:
            from ..spec import default_colors
            colors = default_colors(len(names))
        super(FolderReader, self).__init__(root, split, pairs, names, colors, void, size)

    def source_files(self):
        return super(FolderReader, self).source_files() + [self.classes_file]

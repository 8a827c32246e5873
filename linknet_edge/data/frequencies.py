"""Per-class pixel shares of a split, for the loss weights ``w_c = 1 / ln(1.02 + p_c)``."""

import numpy as np

from ..errors import DatasetError

__all__ = ["class_frequencies"]


def class_frequencies(reader):
    """float64 array (C,) of each class's share of the split's labelled pixels (void excluded).

    Reads labels only (``reader.read_labels``); a cached reader serves them from its arrays, so
    nothing is decoded.
    """
    counts = np.zeros(reader.num_classes, dtype=np.float64)
    for i in range(len(reader)):
        counts += np.bincount(reader.read_labels(i).ravel(), minlength=256)[:reader.num_classes]
    total = counts.sum()
    if total == 0:
        raise DatasetError("{}: split {!r} has no labelled pixels".format(reader.root, reader.split))
    return counts / total

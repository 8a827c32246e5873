"""Scoring a model on a dataset split: a torch-free loop over any predictor.

``evaluate_predictor`` takes ``predict``: a network input batch -> (N, H, W) class maps, e.g. a
runtime runner's ``run`` (``runtime.evaluation.evaluate_model`` scores ``.pt``, ``.onnx`` and
``.engine`` files with it), so a Jetson scores TensorRT or ONNX Runtime with the very same code.
``prepare`` turns HWC uint8 BGR frames into that batch (default: ``to_network_input``, the
normalised NCHW float32 input; a runner's own ``prepare`` for other input forms).

Resolution: ``input_size`` is the (H, W) the network runs at; class maps are resized back
(nearest) to the labels' resolution, where they are scored. Readers opened with a size give
labels at that size (the cached, faster protocol); without one, at full resolution (the
official protocol).
"""

import logging

import numpy as np

from .errors import DatasetError, SpecMismatch
from .metrics import CITYSCAPES_REFERENCE_AREA, ConfusionMatrix
from .preprocessing import resize_labels, to_network_input
from .progress import open_bar

__all__ = ["evaluate_predictor", "check_dataset_classes"]

logger = logging.getLogger(__name__)


def check_dataset_classes(reader, spec, what):
    """Raise ``SpecMismatch`` unless the dataset's classes are the model's, in the same order."""
    if list(reader.class_names) != list(spec.class_names):
        raise SpecMismatch("{} predicts {} classes ({}, ...) but dataset {} at {} has {} ({}, ...)"
                           .format(what, spec.num_classes, ", ".join(spec.class_names[:3]),
                                   reader.kind, reader.root, len(reader.class_names),
                                   ", ".join(reader.class_names[:3])))


def evaluate_predictor(predict, reader, spec, batch_size=4, limit=None, input_size=None,
                       prepare=None):
    """Run ``predict`` over ``reader`` (first ``limit`` frames); returns the ConfusionMatrix.

    ``prepare(frames_bgr, size)`` makes the network input (default ``to_network_input``).
    ``limit`` must be >= 1, and a split without frames is refused: a score of nothing is nan.
    """
    if limit is not None and int(limit) < 1:
        raise DatasetError("--limit {}: must be >= 1 (score the first N frames)".format(limit))
    count = len(reader) if limit is None else min(int(limit), len(reader))
    if count == 0:
        raise DatasetError("{}: split {!r} of this {} dataset has no frames to score".format(
            reader.root, reader.split, reader.kind))
    input_size = tuple(input_size or spec.input_size)
    if prepare is None:
        def prepare(frames, size):
            return to_network_input(frames, spec, size)
    matrix = ConfusionMatrix(
        spec.num_classes, reader.ignore_index, class_names=spec.class_names,
        reference_area=CITYSCAPES_REFERENCE_AREA if reader.kind == "cityscapes" else None)
    bar = open_bar(count, "evaluate", "frame")
    try:
        for start in range(0, count, batch_size):
            frames = [reader.read(i) for i in range(start, min(start + batch_size, count))]
            batch = prepare([image[..., ::-1] for image, _ in frames], input_size)  # RGB->BGR
            classes = np.asarray(predict(batch))
            for k, (_, labels) in enumerate(frames):
                pred = classes[k].astype(np.uint8 if spec.num_classes < 256 else np.int32)
                matrix.update(resize_labels(pred, labels.shape), labels,
                              reader.instance_map(start + k))
            if bar is not None:
                bar.update(len(frames))
    finally:
        if bar is not None:
            bar.close()
    return matrix

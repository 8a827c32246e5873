"""Scoring a model on a dataset split: a torch-free loop over any predictor, and a checkpoint verb.

``evaluate_predictor`` takes any function NCHW float32 (normalised as the spec says) -> (N, H, W)
class maps, e.g. a runtime backend runner's ``run``, so a Jetson scores TensorRT or ONNX Runtime
with the very same code. ``evaluate_checkpoint`` loads a PyTorch checkpoint and uses it.

Resolution: with ``size`` = (H, W) frames and labels are read at that size (labels resized with
nearest; cacheable) and the network runs at it. Without it the network runs at the spec's input
size and its class map is resized back (nearest) to the labels' full resolution, where it is
scored: the official protocol.
"""

import logging
import sys

import numpy as np

from .atomic import write_json_atomic
from .data import open_dataset
from .errors import SpecMismatch
from .metrics import CITYSCAPES_REFERENCE_AREA, ConfusionMatrix, summary_to_json
from .preprocessing import normalize, resize_image, resize_labels

__all__ = ["evaluate_predictor", "evaluate_checkpoint", "check_dataset_classes"]

logger = logging.getLogger(__name__)


def check_dataset_classes(reader, spec, what):
    """Raise ``SpecMismatch`` unless the dataset's classes are the model's, in the same order."""
    if list(reader.class_names) != list(spec.class_names):
        raise SpecMismatch("{} predicts {} classes ({}, ...) but dataset {} at {} has {} ({}, ...)"
                           .format(what, spec.num_classes, ", ".join(spec.class_names[:3]),
                                   reader.kind, reader.root, len(reader.class_names),
                                   ", ".join(reader.class_names[:3])))


def _progress(total):
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="frame", desc="evaluate", disable=not sys.stderr.isatty())


def evaluate_predictor(predict, reader, spec, batch_size=4, limit=None, input_size=None):
    """Run ``predict`` over ``reader`` (first ``limit`` frames) and return the ConfusionMatrix."""
    count = len(reader) if limit is None else min(int(limit), len(reader))
    input_size = tuple(input_size or spec.input_size)
    matrix = ConfusionMatrix(
        spec.num_classes, reader.ignore_index, class_names=spec.class_names,
        reference_area=CITYSCAPES_REFERENCE_AREA if reader.kind == "cityscapes" else None)
    bar = _progress(count)
    try:
        for start in range(0, count, batch_size):
            frames = [reader.read(i) for i in range(start, min(start + batch_size, count))]
            batch = np.stack([normalize(resize_image(image, input_size), spec)
                              for image, _ in frames])
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


def _torch_predictor(model, device):
    import torch

    def predict(batch):
        with torch.no_grad():
            logits = model(torch.from_numpy(batch).to(device))
        return logits.argmax(dim=1).to(torch.int32).cpu().numpy()
    return predict


def evaluate_checkpoint(checkpoint_path, dataset_kind, root, split, size=None, batch_size=4,
                        out_json=None, cache_dir=None, limit=None, device=None):
    """Score a PyTorch checkpoint on a dataset split; returns a JSON-ready report dict.

    ``size`` = (H, W) or None (see the module docstring); ``device`` defaults to CUDA if present.
    """
    import torch
    from .checkpoint import load_model
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    reader = open_dataset(dataset_kind, root, split, size=size, cache_dir=cache_dir)
    model, spec = load_model(checkpoint_path, map_location=device)
    check_dataset_classes(reader, spec, checkpoint_path)
    input_size = tuple(size or spec.input_size)
    matrix = evaluate_predictor(_torch_predictor(model, device), reader, spec, batch_size,
                                limit, input_size)
    frames = len(reader) if limit is None else min(int(limit), len(reader))
    report = {
        "checkpoint": checkpoint_path, "dataset": dataset_kind, "root": root, "split": split,
        "frames": frames, "input_size": list(input_size),
        "scored_at": "read size" if size else "label resolution",
        "backend": "pytorch:{}".format(device),
        "class_names": list(spec.class_names),
        "metrics": summary_to_json(matrix.summary(), spec.class_names),
    }
    miou = report["metrics"]["miou"]
    logger.info("%s on %s %s (%d frames): mIoU %.4f", checkpoint_path, dataset_kind, split,
                frames, float("nan") if miou is None else miou)
    if out_json:
        write_json_atomic(out_json, report, allow_nan=False)
    return report

"""ConfusionMatrix against a direct numpy computation, and the table/JSON views."""

import json
import math

import numpy as np
import pytest

from linknet_edge.metrics import (ConfusionMatrix, format_table, score_predictions,
                                  summary_to_json)


def _direct(preds, targets, classes, void):
    iou, acc = [], []
    pred, target = np.concatenate([p.ravel() for p in preds]), np.concatenate(
        [t.ravel() for t in targets])
    keep = target != void
    pred, target = pred[keep], target[keep]
    for c in range(classes):
        tp = np.sum((pred == c) & (target == c))
        fp = np.sum((pred == c) & (target != c))
        fn = np.sum((pred != c) & (target == c))
        iou.append(tp / float(tp + fp + fn) if tp + fp + fn else float("nan"))
        acc.append(tp / float(tp + fn) if tp + fn else float("nan"))
    return iou, acc, np.mean(pred == target)


def test_agrees_with_direct_computation_on_random_maps():
    rng = np.random.RandomState(3)
    classes, void = 6, 255
    preds, targets = [], []
    for _ in range(4):
        target = rng.randint(0, classes, (20, 30)).astype(np.uint8)
        target[rng.rand(20, 30) < 0.1] = void
        target[target == 5] = 4                      # class 5 never in the ground truth
        pred = np.where(rng.rand(20, 30) < 0.6, target, rng.randint(0, classes, (20, 30)))
        pred[0, :3] = (-1, 9, 200)                   # out of range: wrong, nobody's FP
        preds.append(pred.astype(np.int32))
        targets.append(target)
    matrix = score_predictions(zip(preds, targets), classes, void)
    summary = matrix.summary()
    iou, acc, pixel = _direct(preds, targets, classes, void)
    np.testing.assert_allclose(summary["iou"], iou)
    np.testing.assert_allclose(summary["class_accuracy"], acc)
    assert math.isnan(summary["class_accuracy"][5]) and summary["iou"][5] == 0.0
    assert summary["miou"] == pytest.approx(np.nanmean(iou))
    assert summary["mean_class_accuracy"] == pytest.approx(np.nanmean(acc))
    assert summary["pixel_accuracy"] == pytest.approx(pixel)
    assert summary["pixels"] == sum(int(np.sum(t != void)) for t in targets)
    batched = ConfusionMatrix(classes, void)
    batched.update(np.stack(preds), np.stack(targets))
    assert np.array_equal(batched.counts, matrix.counts)
    with pytest.raises(ValueError, match=r"ground truth values \[7\]"):
        batched.update(preds[0], np.full((20, 30), 7, np.uint8))


def test_table_and_json_views():
    matrix = ConfusionMatrix(3, 3)
    matrix.update(np.array([[0, 1], [1, 1]]), np.array([[0, 1], [2, 3]]))
    summary = matrix.summary()
    table = format_table(summary, ["a", "b", "c"])
    assert "mean IoU" in table and "pixel accuracy" in table and "iIoU" not in table
    assert table.splitlines()[2].split() == ["a", "100.0", "100.0"]
    data = summary_to_json(summary, ["a", "b", "c"])
    assert data["classes"]["c"] == {"iou": 0.0, "accuracy": 0.0, "iiou": None}
    json.loads(json.dumps(data, allow_nan=False))
    empty = summary_to_json(ConfusionMatrix(2).summary(), ["x", "y"])
    assert empty["miou"] is None and empty["classes"]["x"]["iou"] is None

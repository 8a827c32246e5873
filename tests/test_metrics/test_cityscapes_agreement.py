"""IoU and iIoU agree with cityscapesscripts' evalPixelLevelSemanticLabeling on the real frame."""

import os
import shutil

import cv2
import numpy as np
import pytest

from linknet_edge.data import open_dataset
from linknet_edge.data.cityscapes import LABEL_TO_TRAIN_ID
from linknet_edge.metrics import ConfusionMatrix
from tests.markers import data_path, requires_data

CITYSCAPES = data_path("cityscapes")


def _perturbed(labels, rng):
    """A plausible wrong prediction: noise, a shifted copy, a block of one class, some void."""
    pred = np.roll(labels, 2, axis=1).astype(np.int64)
    pred[rng.rand(*labels.shape) < 0.15] = rng.randint(0, 19)
    pred[40:70, 100:160] = 13                                  # a fake car
    pred[pred == 255] = 0
    pred[:3, :20] = 255                                        # predicted void: always wrong
    return pred


@requires_data
@pytest.mark.skipif(not os.path.isdir(CITYSCAPES), reason="real Cityscapes frame not found")
def test_iou_and_iiou_match_cityscapesscripts(tmp_path, monkeypatch):
    monkeypatch.setenv("CITYSCAPES_DATASET", str(tmp_path))
    monkeypatch.setenv("CITYSCAPES_RESULTS", str(tmp_path / "results"))
    try:
        from cityscapesscripts.evaluation import evalPixelLevelSemanticLabeling as cs
    except Exception as exc:                                   # noqa: BLE001 - any import failure
        pytest.skip("cityscapesscripts cannot be imported: {}".format(exc))
    if not hasattr(np, "in1d"):
        # cityscapesscripts still calls np.in1d, which numpy 2.4 removed; np.isin is its successor
        monkeypatch.setattr(np, "in1d", lambda a, b, invert=False: np.isin(
            np.ravel(a), b, invert=invert), raising=False)
    reader = open_dataset("cityscapes", CITYSCAPES, "val")
    gt_dir = tmp_path / "gtFine" / "val" / "frankfurt"
    os.makedirs(str(gt_dir))
    os.makedirs(str(tmp_path / "results"))
    for suffix in ("labelIds", "instanceIds"):
        shutil.copy(reader.paths(0)[1].replace("labelIds", suffix), str(gt_dir))
    _, labels = reader.read(0)
    instances = reader.instance_map(0)
    pred = _perturbed(labels, np.random.RandomState(5))
    to_label_id = np.zeros(256, np.uint8)                      # train id -> label id (void -> 0)
    for label_id, train_id in enumerate(LABEL_TO_TRAIN_ID):
        if train_id != 255:
            to_label_id[train_id] = label_id
    pred_file = str(tmp_path / "results" / "frankfurt_000000_000294_pred.png")
    cv2.imwrite(pred_file, to_label_id[pred])

    cs.args.quiet, cs.args.JSONOutput, cs.args.evalInstLevelScore = True, False, True
    gt_file = str(gt_dir / os.path.basename(reader.paths(0)[1]))
    result = cs.evaluateImgLists([pred_file], [gt_file], cs.args)

    names = reader.class_names
    matrix = ConfusionMatrix(19, 255, class_names=names)
    matrix.update(pred, labels, instances)
    ours = matrix.summary()
    for i, name in enumerate(names):
        theirs = result["classScores"][name]
        assert (np.isnan(theirs) and np.isnan(ours["iou"][i])) or \
            ours["iou"][i] == pytest.approx(theirs, abs=1e-9), name
        theirs = result["classInstScores"][name]
        assert (np.isnan(theirs) and np.isnan(ours["iiou"][i])) or \
            ours["iiou"][i] == pytest.approx(theirs, abs=1e-9), name
    assert ours["miou"] == pytest.approx(result["averageScoreClasses"], abs=1e-9)
    assert ours["miiou"] == pytest.approx(result["averageScoreInstClasses"], abs=1e-9)
    assert 0.2 < ours["miiou"] < 0.95 and 0.2 < ours["miou"] < 0.95


def test_reference_area_scales_weights_not_plain_iou():
    rng = np.random.RandomState(0)
    target = rng.randint(0, 3, (32, 32))
    instances = np.where(target == 2, 2001, 0) + (np.arange(32)[None, :] >= 16) * (target == 2)
    pred = np.where(rng.rand(32, 32) < 0.7, target, 2)
    sizes = {"thing": 100.0}
    plain = ConfusionMatrix(3, None, ["a", "b", "thing"], instance_sizes=sizes)
    scaled = ConfusionMatrix(3, None, ["a", "b", "thing"], instance_sizes=sizes,
                             reference_area=32 * 32 * 4)
    for matrix in (plain, scaled):
        matrix.update(pred, target, instances)
    a, b = plain.summary(), scaled.summary()
    assert a["iou"] == b["iou"] and np.isnan(a["iiou"][0])
    assert b["iiou"][2] < a["iiou"][2]         # smaller weights -> the FPs count for more

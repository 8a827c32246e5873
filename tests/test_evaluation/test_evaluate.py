"""evaluate on real CamVid val frames with a tiny freshly built checkpoint (PyTorch CPU)."""

import json
import os
import shutil

import numpy as np
import pytest

from linknet_edge.errors import SpecMismatch
from tests.markers import data_path, requires_data, requires_torch

FRAMES = ["0016E5_07959", "0016E5_07961", "0016E5_07963", "0016E5_07965"]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    import torch
    from linknet_edge.weights import save_checkpoint
    from linknet_edge.model import model_from_spec
    from linknet_edge.data import preset_spec
    torch.manual_seed(0)
    spec = preset_spec("camvid", input_size=(64, 96))
    path = str(tmp_path_factory.mktemp("ckpt") / "tiny.pt")
    return save_checkpoint(path, model_from_spec(spec).eval(), spec)


@pytest.fixture(scope="module")
def camvid(tmp_path_factory):
    root = tmp_path_factory.mktemp("camvid")
    for folder in ("val", "valannot"):
        os.makedirs(str(root / folder))
        for frame in FRAMES:
            shutil.copy(data_path("camvid", folder, frame + ".png"), str(root / folder))
    return str(root)


@requires_torch
@requires_data
def test_evaluate_model_matches_direct_scoring(checkpoint, camvid, tmp_path):
    import torch
    from linknet_edge.weights import load_model
    from linknet_edge.data import open_dataset
    from linknet_edge.runtime.evaluation import evaluate_model
    from linknet_edge.metrics import ConfusionMatrix
    from linknet_edge.preprocessing import normalize, resize_image, resize_labels
    out = str(tmp_path / "report.json")
    report = evaluate_model(checkpoint, "camvid", camvid, "val", batch_size=3,
                                 out_json=out, device="cpu")
    assert report["frames"] == 4 and report["scored_at"] == "label resolution"
    assert json.load(open(out)) == report
    # the same thing by hand, one frame at a time
    model, spec = load_model(checkpoint)
    reader = open_dataset("camvid", camvid, "val")
    matrix = ConfusionMatrix(11, 11)
    for i in range(4):
        image, labels = reader.read(i)
        x = torch.from_numpy(normalize(resize_image(image, (64, 96)), spec)[None])
        with torch.no_grad():
            classes = model(x).argmax(1)[0].numpy().astype(np.uint8)
        matrix.update(resize_labels(classes, labels.shape), labels)
    expected = matrix.summary()
    assert report["metrics"]["pixels"] == expected["pixels"] == 4 * 360 * 480 - sum(
        int(np.sum(reader.read(i)[1] == 11)) for i in range(4))
    assert report["metrics"]["miou"] == pytest.approx(expected["miou"])
    assert report["metrics"]["pixel_accuracy"] == pytest.approx(expected["pixel_accuracy"])

    cached = evaluate_model(checkpoint, "camvid", camvid, "val", size=(64, 96), limit=2,
                                 cache_dir=str(tmp_path / "cache"), device="cpu")
    assert cached["frames"] == 2 and cached["metrics"]["pixels"] <= 2 * 64 * 96


@requires_torch
@requires_data
def test_class_mismatch_is_refused(checkpoint):
    from linknet_edge.runtime.evaluation import evaluate_model
    with pytest.raises(SpecMismatch, match="predicts 11 classes .* cityscapes .* has 19"):
        evaluate_model(checkpoint, "cityscapes", data_path("cityscapes"), "val")


@requires_torch
@requires_data
def test_evaluate_verb_prints_table_and_writes_json(checkpoint, camvid, tmp_path, capsys):
    from linknet_edge.cli import main
    out = str(tmp_path / "m.json")
    code = main(["evaluate", checkpoint, "--dataset", "camvid", "--data-root", camvid,
                 "--split", "val", "--limit", "2", "--json", out, "--device", "cpu"])
    printed = capsys.readouterr().out
    assert code == 0 and "mean IoU" in printed and "Bicyclist" in printed
    assert json.load(open(out))["frames"] == 2
    assert main(["evaluate", checkpoint, "--dataset", "camvid", "--data-root",
                 str(tmp_path / "nothing"), "--split", "val"]) == 1
    assert "CamVid folder not found" in capsys.readouterr().err


@requires_torch  # only to make the ONNX file and the checkpoint's score
@requires_data
def test_evaluate_onnx_with_torch_blocked_equals_the_checkpoint(checkpoint, camvid, tmp_path):
    """``linknet-edge evaluate model.onnx`` where torch cannot be imported (a Jetson) scores the
    exported file (uint8 input, normalised in the graph) as the checkpoint scores."""
    import subprocess
    import sys
    from linknet_edge.export.onnx import export_onnx
    from linknet_edge.runtime.evaluation import evaluate_model
    from tests.markers import ROOT
    from tests.test_layout import _BLOCK_TORCH
    onnx_file = export_onnx(checkpoint, str(tmp_path / "tiny.onnx"), verify=False).path
    out = str(tmp_path / "onnx.json")
    argv = ["evaluate", onnx_file, "--dataset", "camvid", "--data-root", camvid, "--json", out]
    code = _BLOCK_TORCH + ("assert main({!r}) == 0\n"
                           "assert 'torch' not in sys.modules\n").format(argv)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "mean IoU" in result.stdout
    scored = json.load(open(out))
    expected = evaluate_model(checkpoint, "camvid", camvid, "val", device="cpu")
    assert scored["backend"].startswith("onnxruntime") and scored["frames"] == 4
    assert scored["metrics"]["pixels"] == expected["metrics"]["pixels"]
    assert scored["metrics"]["miou"] == pytest.approx(expected["metrics"]["miou"])
    assert scored["metrics"]["pixel_accuracy"] == pytest.approx(
        expected["metrics"]["pixel_accuracy"])

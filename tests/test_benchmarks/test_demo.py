"""The demo runs end to end at a tiny size and reports every stage."""

import os

from linknet_edge.cli import main
from tests.markers import requires_onnxruntime, requires_torch


@requires_torch
@requires_onnxruntime
def test_demo_runs_every_stage_end_to_end(tmp_path, capsys):
    import cv2
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--epochs", "1", "--size", "64x64", "--frames", "4",
                 "--limit", "4"]) == 0
    text = capsys.readouterr().out
    for step in ("data", "train", "export", "run", "bench"):
        assert "\n" + step + " " in text
    assert "verification passed" in text
    assert "pytorch-fp32" in text and "onnxruntime-fp32" in text
    for name in ("train/best.pt", "linknet.onnx", "overlay.mp4", "bench/accuracy.md",
                 "bench/accuracy.json", "data/train.txt"):
        assert os.path.isfile(str(out / name)), name
    video = cv2.VideoCapture(str(out / "overlay.mp4"))
    assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == 4
    video.release()

"""``linknet-edge run``: a signal mid-run leaves a playable file; bad inputs give one line."""

import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from linknet_edge.cli import main
from tests.markers import ROOT, requires_data, requires_onnxruntime, requires_torch

from .conftest import read_frames

pytestmark = [requires_torch, requires_onnxruntime]


def _env():
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


@requires_data
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM],
                         ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_run_leaves_a_playable_video(tmp_path, short_clip, tiny_onnx, signum):
    video, masks = tmp_path / "live.mp4", tmp_path / "masks"
    process = subprocess.Popen(
        [sys.executable, "-m", "linknet_edge.cli", "run", tiny_onnx, "--input", short_clip,
         "--loop", "--output", str(video), "--save-masks", str(masks)],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and process.poll() is None:
            if os.path.isdir(str(masks)) and len(os.listdir(str(masks))) >= 15:
                break
            time.sleep(0.1)
        assert process.poll() is None, process.communicate()[1].decode()[-2000:]
        process.send_signal(signum)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err.decode()[-2000:]
    assert signal.Signals(signum).name in err.decode()
    assert not os.path.exists(str(tmp_path / "live.part.mp4"))
    frames = read_frames(str(video))
    assert len(frames) >= 15 and frames[0].shape == (360, 480, 3)
    assert b"FPS" in out and b"latency" in out   # the summary table
    assert "stopped by {}".format(signal.Signals(signum).name) in out.decode()


@requires_data
def test_missing_and_corrupt_inputs_are_one_line_errors(tmp_path, tiny_onnx, capsys):
    corrupt = tmp_path / "broken.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(2000))
    for source, message in ((str(tmp_path / "gone.mp4"), "gone.mp4: no such video file"),
                            (str(corrupt), "broken.mp4")):
        assert main(["run", tiny_onnx, "--input", source, "--output", "none"]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("linknet-edge run: error: ")
        assert message in err[0]


@pytest.mark.parametrize("alpha, message", [("abc", "'abc' is not a number"),
                                            ("1.5", "'1.5': must be a number from 0 to 1")])
def test_bad_alpha_is_a_usage_error(tiny_onnx, capsys, alpha, message):
    with pytest.raises(SystemExit) as info:
        main(["run", tiny_onnx, "--input", "x.mp4", "--alpha", alpha])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "argument --alpha: " + message in err


@requires_data
def test_overlay_size_network_writes_overlays_at_the_network_resolution(tmp_path, short_clip,
                                                                        onnx_uint8_path):
    """``--overlay-size network`` (for a Jetson's CPU): the video has the model's 64x64 size and
    the masks stay at frame size; the default uint8-input export runs through ``run``."""
    video, masks = tmp_path / "small.avi", tmp_path / "masks"
    assert main(["run", onnx_uint8_path, "--input", short_clip, "--output", str(video),
                 "--save-masks", str(masks), "--overlay-size", "network", "--limit",
                 "4"]) == 0
    frames = read_frames(str(video))
    assert len(frames) == 4 and frames[0].shape == (64, 64, 3)
    import cv2
    mask = cv2.imread(str(masks / sorted(os.listdir(str(masks)))[0]), cv2.IMREAD_UNCHANGED)
    assert mask.shape == (360, 480)


def _solid_clip(tmp_path, count=4):
    import cv2
    from .conftest import solid_frames
    clip = str(tmp_path / "solid.avi")
    writer = cv2.VideoWriter(clip, cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (96, 64))
    for frame in solid_frames(count, size=(64, 96)):
        writer.write(frame)
    writer.release()
    return clip


def test_run_without_an_output_warns_and_says_outputs_none(tmp_path, tiny_onnx, capsys, caplog):
    clip = _solid_clip(tmp_path)
    with caplog.at_level(logging.WARNING, logger="linknet_edge.runtime.commands.run"):
        assert main(["run", tiny_onnx, "--input", clip]) == 0
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "no --output or --save-masks: the frames are segmented and nothing is written (e.g. "
        "-o overlay.mp4, -o http://127.0.0.1:8080, -o display://0)"]
    assert "outputs: none" in capsys.readouterr().out.splitlines()
    caplog.clear()
    video = str(tmp_path / "out.avi")
    assert main(["run", tiny_onnx, "--input", clip, "-o", video]) == 0
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "outputs: {}".format(video) in capsys.readouterr().out.splitlines()


def test_batch_size_on_a_batch_1_model_says_once_that_it_runs_in_pieces(tmp_path, tiny_onnx,
                                                                        caplog):
    clip = _solid_clip(tmp_path, count=6)
    with caplog.at_level(logging.INFO, logger="linknet_edge.runtime.backends.base"):
        assert main(["run", tiny_onnx, "--input", clip, "-o", "none", "--batch-size", "2"]) == 0
    notes = [r.getMessage() for r in caplog.records if "runs as" in r.getMessage()]
    assert notes == ["{} takes batches of 1: a batch of 2 runs as 2 calls (export with "
                     "--dynamic-batch to run it at once)".format(tiny_onnx)]

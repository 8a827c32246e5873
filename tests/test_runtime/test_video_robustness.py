"""Nothing lost, nothing misleading: a real ``linknet-edge run`` killed with SIGKILL mid-video
leaves a playable file; a truncated video and a lost stream are said in the summary, and
``--strict`` makes them errors."""

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from linknet_edge.cli import main
from linknet_edge.runtime.video.media import h264_encoders, probe_media_facts
from linknet_edge.runtime.video.mjpeg import MjpegServer
from linknet_edge.runtime.pipeline import StreamOptions, run_pipeline
from tests.markers import ROOT, data_path, requires_onnxruntime, requires_torch

from .media_tools import ffprobe, has_ffprobe

CLIP = data_path("video", "solidWhiteRight.mp4")   # H.264, 960x540, 25 fps, 221 frames
FPS = 25

pytestmark = [requires_torch, requires_onnxruntime,
              pytest.mark.skipif(not os.path.isfile(CLIP),
                                 reason="real data not found at ../shared/data")]


def _children(pid):
    """Pids whose parent is ``pid`` (the encoder subprocess of a run)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/{}/stat".format(name)) as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except (IOError, OSError):
                continue
            if int(fields[1]) == pid:
                found.append(int(name))
    return found


def _wait_gone(pids, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline and any(os.path.exists("/proc/{}".format(p)) for p in pids):
        time.sleep(0.05)


def _killed_run(tmp_path, onnx, suffix, whole_machine, after=40):
    """Start a real run on the looping clip, SIGKILL it (and, for power loss, its encoder at
    the same moment) once ``after`` frames are out; returns (frames written, video path)."""
    video, masks = tmp_path / ("live" + suffix), tmp_path / "masks"
    env = dict(os.environ, OMP_NUM_THREADS="1",
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen(
        [sys.executable, "-m", "linknet_edge.cli", "run", onnx, "--input", CLIP, "--loop",
         "--output", str(video), "--save-masks", str(masks)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and process.poll() is None:
            if os.path.isdir(str(masks)) and len(os.listdir(str(masks))) >= after:
                break
            time.sleep(0.05)
        assert process.poll() is None, process.communicate()[1].decode()[-2000:]
        encoders = _children(process.pid)
        victims = [process.pid] + (encoders if whole_machine else [])
        for pid in victims:   # as close to one instant as user space gets
            os.kill(pid, signal.SIGKILL)
        process.wait()
        _wait_gone(encoders)   # a surviving encoder finishes the file on end of input
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    # video is written before masks for each frame: masks on disk <= frames handed to video
    return len(os.listdir(str(masks))), str(video)


CASES = [
    pytest.param(".mp4", False, id="mp4-run-killed"),
    pytest.param(".mp4", True, id="mp4-power-loss"),
    pytest.param(".mkv", True, id="mkv-power-loss", marks=pytest.mark.slow),
    pytest.param(".avi", True, id="avi-power-loss", marks=pytest.mark.slow),
]


@pytest.mark.skipif(not has_ffprobe(), reason="ffprobe is not installed")
@pytest.mark.parametrize("suffix, whole_machine", CASES)
def test_sigkill_of_a_run_leaves_a_playable_partial_video(tmp_path, tiny_onnx, suffix,
                                                          whole_machine):
    h264 = bool(h264_encoders(probe_media_facts())) and suffix != ".avi"
    if suffix == ".mp4" and not h264:
        pytest.skip("no H.264 encoder here: mp4v .mp4 files are unreadable until closed")
    written, video = _killed_run(tmp_path, tiny_onnx, suffix, whole_machine)
    assert not os.path.exists(video)   # the name the user gave only ever holds a whole file
    stream = ffprobe(video[:-len(suffix)] + ".part" + suffix)
    assert stream["codec_name"] == ("h264" if h264 else "mjpeg")
    assert (stream["width"], stream["height"]) == (960, 540)
    # an encoder that outlives the run drains what it was given; a machine that dies at once
    # loses at most one fragment/cluster (1 s of frames) and the frame in the pipe
    lag = FPS + 1 if whole_machine else 0
    assert written - lag <= int(stream["nb_read_frames"]) <= written + 3


def _truncated_clip(tmp_path):
    data = open(CLIP, "rb").read()
    path = str(tmp_path / "cut.mp4")
    with open(path, "wb") as handle:
        handle.write(data[:len(data) // 2])
    return path


def test_a_truncated_video_is_said_in_the_summary_and_strict_makes_it_an_error(
        tmp_path, tiny_onnx, capsys):
    cut = _truncated_clip(tmp_path)
    assert main(["run", tiny_onnx, "--input", cut, "--output", "none", "-q"]) == 0
    out = capsys.readouterr().out
    assert "110 frames in" in out
    assert "input ended early: read 110 of 221 frames: the file ends early" in out
    assert main(["run", tiny_onnx, "--input", cut, "--output", "none", "-q", "--strict"]) == 1
    captured = capsys.readouterr()
    assert "110 frames in" in captured.out   # the summary still comes first
    last = captured.err.strip().splitlines()[-1]
    assert last.startswith("linknet-edge run: error: ") and "cut.mp4" in last
    assert "read 110 of 221 frames" in last and "--strict" in last


def test_a_whole_video_ends_without_a_warning(tiny_onnx, capsys):
    assert main(["run", tiny_onnx, "--input", CLIP, "--output", "none", "-q", "--strict"]) == 0
    out = capsys.readouterr().out
    assert "221 frames in" in out and "ended early" not in out


def test_a_live_stream_lost_for_good_is_said_in_the_summary(tiny_onnx):
    server, stop = MjpegServer(port=0).start(), threading.Event()

    def publish():
        for _ in range(2000):
            if stop.is_set():
                break
            server.publish(np.full((48, 64, 3), 90, np.uint8))
            time.sleep(0.01)

    publisher = threading.Thread(target=publish)
    publisher.daemon = True
    publisher.start()
    timer = threading.Timer(1.0, server.stop)   # the camera goes away and never returns
    timer.start()
    try:
        summary = run_pipeline(tiny_onnx, server.url + "stream", "none",
                               stream=StreamOptions(log_every=None),
                               source_options={"retries": 2, "backoff": 0.05})
    finally:
        stop.set()
        timer.cancel()
        server.stop()
    assert summary["frames"] > 0
    assert summary["input_ended_early"] == "stream lost: 2 reconnect attempts failed"

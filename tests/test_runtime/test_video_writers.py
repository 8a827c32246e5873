"""H.264 out: .mp4/.mkv files a browser plays, RTP and MPEG-TS streams opened by real clients
on loopback, the fallbacks and their messages, and the GStreamer writer in a real GStreamer
OpenCV (x264enc in place of a Jetson's hardware encoder)."""

import os
import socket
import threading
import time

import pytest

from linknet_edge.errors import SinkError
from linknet_edge.runtime.video.media import MediaFacts, h264_encoders, probe_media_facts
from linknet_edge.runtime.video.sinks import open_sink
from tests.markers import data_path

from .conftest import read_frames
from .media_tools import ffprobe, has_ffprobe, has_system_gstreamer_opencv, run_system_python

CLIP = data_path("video", "solidWhiteRight.mp4")   # H.264, 960x540, 25 fps, 221 frames

requires_clip = pytest.mark.skipif(not os.path.isfile(CLIP),
                                   reason="real data not found at ../shared/data")
requires_ffprobe = pytest.mark.skipif(not has_ffprobe(), reason="ffprobe is not installed")
requires_h264 = pytest.mark.skipif(not h264_encoders(probe_media_facts()), reason=(
    "no H.264 encoder here (ffmpeg with libx264, or OpenCV with a GStreamer encoder)"))
requires_system_gstreamer_opencv = pytest.mark.skipif(
    not has_system_gstreamer_opencv(),
    reason="no system OpenCV with GStreamer (Debian python3-opencv) to run GStreamer writers")

pytestmark = [requires_clip, requires_ffprobe]


@pytest.fixture(scope="module")
def clip_frames():
    return read_frames(CLIP, 40)


def _write(uri, frames, **options):
    with open_sink(uri, fps=25, **options) as sink:
        for index, frame in enumerate(frames):
            sink.write(index, frame, None)
        return sink.description


@requires_h264
@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_mp4_and_mkv_are_h264_where_an_encoder_exists(tmp_path, clip_frames, suffix):
    path = str(tmp_path / ("overlay" + suffix))
    assert _write(path, clip_frames).startswith("H.264 by ")
    stream = ffprobe(path)
    assert stream["codec_name"] == "h264" and stream["pix_fmt"] == "yuv420p"
    assert (stream["width"], stream["height"]) == (960, 540)
    assert int(stream["nb_read_frames"]) == len(clip_frames)
    assert not os.path.exists(str(tmp_path / ("overlay.part" + suffix)))


def test_without_an_h264_encoder_mp4_falls_back_to_mp4v_and_says_so(tmp_path, clip_frames,
                                                                     caplog):
    path = str(tmp_path / "plain.mp4")
    description = _write(path, clip_frames[:5], facts=MediaFacts())
    assert description == "mp4v by OpenCV (no H.264 encoder here: install ffmpeg)"
    assert "no H.264 encoder here" in caplog.text
    assert ffprobe(path)["codec_name"] == "mpeg4"


def _free_udp_port():
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


class _Feeder(threading.Thread):
    """Writes frames to a sink at 25 FPS until stopped (a live stream for a client to join)."""

    def __init__(self, sink, frames, seconds=20.0):
        super(_Feeder, self).__init__()
        self.daemon = True
        self.sink, self.frames, self.seconds = sink, frames, seconds
        self.stop = threading.Event()

    def run(self):
        start, index = time.time(), 0
        while not self.stop.is_set() and time.time() - start < self.seconds:
            self.sink.write(index, self.frames[index % len(self.frames)], None)
            index += 1
            time.sleep(0.04)


def _received_by_opencv(target, count, env_options=None):
    import cv2
    if env_options:
        os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] = env_options
    try:
        capture = cv2.VideoCapture(target, cv2.CAP_FFMPEG)
        shapes = []
        while capture.isOpened() and len(shapes) < count:
            ok, frame = capture.read()
            if not ok:
                break
            shapes.append(frame.shape)
        code = int(capture.get(cv2.CAP_PROP_FOURCC))
        capture.release()
    finally:
        os.environ.pop("OPENCV_FFMPEG_CAPTURE_OPTIONS", None)
    return shapes, bytes(bytearray((code >> 8 * i) & 0xFF for i in range(4)))


@requires_h264
def test_an_rtp_stream_with_its_sdp_is_received_by_opencv(tmp_path, clip_frames):
    sdp = str(tmp_path / "live.sdp")
    sink = open_sink("rtp://127.0.0.1:{}?sdp={}".format(_free_udp_port(), sdp), fps=25)
    feeder = _Feeder(sink, clip_frames)
    feeder.start()
    try:
        assert "a=rtpmap:96 H264/90000" in open(sdp).read()
        shapes, fourcc = _received_by_opencv(sdp, 10, "protocol_whitelist;file,rtp,udp")
    finally:
        feeder.stop.set()
        feeder.join()
        sink.close()
    assert shapes == [(540, 960, 3)] * 10 and fourcc == b"h264"


@requires_h264
def test_an_mpegts_udp_stream_is_received_by_ffmpeg(clip_frames):
    import subprocess
    port = _free_udp_port()
    sink = open_sink("udp://127.0.0.1:{}".format(port), fps=25)
    feeder = _Feeder(sink, clip_frames)
    feeder.start()
    try:
        client = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-i", "udp://127.0.0.1:{}".format(port), "-frames:v",
             "10", "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        raw, log = client.communicate(timeout=60)
    finally:
        feeder.stop.set()
        feeder.join()
        sink.close()
    assert "Video: h264" in log.decode() and "960x540" in log.decode()
    assert len(raw) == 10 * 540 * 960 * 3


@pytest.mark.parametrize("uri, message", [
    ("rtp://127.0.0.1:5004", "an H.264 stream needs ffmpeg with libx264 or OpenCV with a "
                             "GStreamer H.264 encoder"),
    ("udp://127.0.0.1:99999", "needs a port from 1 to 65535"),
    ("rtp://127.0.0.1", "needs a port from 1 to 65535"),
    ("http://127.0.0.1:99999", "is not a number from 0 to 65535"),
])
def test_streams_that_cannot_be_sent_are_one_line_errors(tmp_path, monkeypatch, clip_frames,
                                                         uri, message):
    monkeypatch.chdir(tmp_path)   # where the SDP file goes
    with pytest.raises(SinkError) as info:
        _write(uri, clip_frames[:1], facts=MediaFacts())
    assert message in str(info.value) and "\n" not in str(info.value)
    assert str(info.value).startswith(uri)


_GST_WRITE = """
import json, os, signal, cv2
from linknet_edge.runtime.video.media import MediaFacts
from linknet_edge.runtime.video.sinks import open_sink
facts = MediaFacts(opencv_gstreamer=True, elements={{"x264enc"}})   # no ffmpeg: GStreamer
capture = cv2.VideoCapture({clip!r})
sink = open_sink({uri!r}, fps=25, facts=facts)
for index in range({count}):
    sink.write(index, capture.read()[1], None)
print(json.dumps(sink.description), flush=True)
if {kill}:
    os.kill(os.getpid(), signal.SIGKILL)
sink.close()
"""


@requires_system_gstreamer_opencv
def test_x86_gstreamer_writer_makes_h264_mkv(tmp_path):
    path = str(tmp_path / "gst.mkv")
    description = run_system_python(tmp_path, _GST_WRITE.format(clip=CLIP, uri=path, count=30,
                                                                kill=False))
    assert description == "H.264 by x264enc (software, GStreamer)"
    stream = ffprobe(path)
    assert stream["codec_name"] == "h264" and int(stream["nb_read_frames"]) == 30


@requires_system_gstreamer_opencv
def test_x86_gstreamer_writer_mp4_survives_sigkill_up_to_one_fragment(tmp_path):
    """The Jetson chain's muxer half (mp4mux fragment-duration=1000) with x264enc: a SIGKILL
    after 100 frames leaves the .part.mp4 playable with all but one fragment (1 s, 25 frames)
    and the few frames queued before the encoder (at most 5)."""
    import subprocess
    from .media_tools import SYSTEM_PYTHON, system_python_tree
    path = str(tmp_path / "gst.mp4")
    env = dict(os.environ, PYTHONPATH=system_python_tree(tmp_path))
    process = subprocess.Popen(
        [SYSTEM_PYTHON, "-c", _GST_WRITE.format(clip=CLIP, uri=path, count=100, kill=True)],
        cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate(timeout=180)
    assert process.returncode == -9, err.decode()[-2000:]
    assert b"x264enc" in out and not os.path.exists(path)
    stream = ffprobe(str(tmp_path / "gst.part.mp4"))
    assert stream["codec_name"] == "h264" and 100 - 25 - 5 <= int(stream["nb_read_frames"]) <= 100


@requires_h264
def test_ffmpeg_stopped_by_sigterm_finishes_the_file_and_the_sink_closes_cleanly(
        tmp_path, clip_frames, caplog):
    """systemd's default stop sends SIGTERM to every process of the service, the encoder
    too: the file is finished by ffmpeg, later frames are dropped, and close() publishes it."""
    import signal
    facts = probe_media_facts()
    if not facts.ffmpeg_h264:
        pytest.skip("no ffmpeg with libx264 here")
    path = str(tmp_path / "stopped.mp4")
    sink = open_sink(path, fps=25, facts=MediaFacts(ffmpeg_h264=facts.ffmpeg_h264))
    for index, frame in enumerate(clip_frames[:20]):
        sink.write(index, frame, None)
    os.kill(sink._writer.pid, signal.SIGTERM)
    for index, frame in enumerate(clip_frames[20:], 20):
        sink.write(index, frame, None)
        time.sleep(0.02)
    sink.close()
    assert "stopped by a signal" in caplog.text
    frames = int(ffprobe(path)["nb_read_frames"])
    assert 20 <= frames <= len(clip_frames)

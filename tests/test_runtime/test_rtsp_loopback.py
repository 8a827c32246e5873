"""RTSP from a real loopback server (gst-rtsp-server serving the real dash-cam clip): the FFmpeg
fallback where OpenCV has no GStreamer, the x86 GStreamer chain in the system's GStreamer
OpenCV, and the fallback when a Jetson pipeline cannot open."""

import pytest

from linknet_edge.cli import main
from linknet_edge.runtime.video.gstreamer import opencv_has_gstreamer
from linknet_edge.runtime.video.sources import open_source
from tests.markers import data_path, requires_onnxruntime, requires_torch

from .media_tools import (has_rtsp_server, has_system_gstreamer_opencv, rtsp_server,
                          run_system_python)

CLIP = data_path("video", "solidWhiteRight.mp4")   # H.264, 960x540, 25 fps

pytestmark = [
    pytest.mark.skipif(not has_rtsp_server(), reason="no gst-rtsp-server Python bindings (Debian "
                       "gir1.2-gst-rtsp-server-1.0, python3-gi) for a loopback RTSP server"),
    pytest.mark.skipif(not __import__("os").path.isfile(CLIP),
                       reason="real data not found at ../shared/data")]


@pytest.fixture(scope="module")
def rtsp_url():
    with rtsp_server(CLIP) as url:
        yield url


@pytest.mark.skipif(opencv_has_gstreamer(), reason="this OpenCV has GStreamer")
def test_without_opencv_gstreamer_rtsp_is_read_by_ffmpeg_and_says_why(rtsp_url):
    with open_source(rtsp_url + "?latency=50") as source:
        frames = [next(source)[1] for _ in range(5)]
        assert source.is_live and source.capture_label == "FFmpeg (software decoding)"
        assert source.fallback_reason == "this OpenCV was built without GStreamer"
    assert all(frame.shape == (540, 960, 3) for frame in frames)


@requires_torch
@requires_onnxruntime
@pytest.mark.skipif(opencv_has_gstreamer(), reason="this OpenCV has GStreamer")
def test_run_on_a_loopback_rtsp_stream_names_the_fallback(rtsp_url, tiny_onnx, capsys):
    assert main(["run", tiny_onnx, "--input", rtsp_url, "--limit", "5",
                 "--output", "none", "-q"]) == 0
    out = capsys.readouterr().out
    assert " frames in " in out   # a live source may drop frames to stay current
    assert "input read by fallback: this OpenCV was built without GStreamer" in out


_SYSTEM_READ = """
import json
from linknet_edge.runtime.video.media import MediaFacts, probe_media_facts
from linknet_edge.runtime.video.sources import open_source
facts = {facts}
rows = []
for uri in {uris!r}:
    with open_source(uri, facts=facts) as source:
        frames = ([next(source)[1].shape for _ in range(8)] if source.is_live
                  else [frame.shape for _, frame, _ in source])
        rows.append(dict(label=source.capture_label, why=source.fallback_reason,
                         shapes=sorted(set(map(tuple, frames))), count=len(frames),
                         expected=source.frame_count, ended_early=source.ended_early))
print(json.dumps(rows))
# GStreamer's teardown of a refused pipeline at interpreter exit can abort the process under
# load ("g_mutex_clear() called on uninitialised mutex"): the rows are out, skip the teardown
import os, sys
sys.stdout.flush()
os._exit(0)
"""

requires_system_gstreamer_opencv = pytest.mark.skipif(
    not has_system_gstreamer_opencv(),
    reason="no system OpenCV with GStreamer (Debian python3-opencv) to run GStreamer chains")


@requires_system_gstreamer_opencv
def test_x86_gstreamer_rtsp_chain_delivers_bgr_frames(rtsp_url, tmp_path):
    rows = run_system_python(tmp_path, _SYSTEM_READ.format(
        facts="probe_media_facts()", uris=[rtsp_url]))
    assert rows == [dict(label="GStreamer decodebin (software)", why=None,
                         shapes=[[540, 960, 3]], count=8, expected=None, ended_early=None)]


@requires_system_gstreamer_opencv
def test_injected_l4t_facts_on_x86_fall_back_to_ffmpeg_when_the_pipeline_fails(rtsp_url,
                                                                               tmp_path):
    """A Jetson's chain, chosen from injected facts, cannot open here (no nvv4l2decoder):
    the source must fall back to FFmpeg and say so, for RTSP and for files."""
    facts = ("MediaFacts(l4t='R35.4.1', board='Jetson AGX Xavier', opencv_gstreamer=True, "
             "elements={'nvv4l2decoder', 'nvvidconv'})")
    rows = run_system_python(tmp_path, _SYSTEM_READ.format(facts=facts, uris=[rtsp_url, CLIP]))
    assert rows[0]["label"] == "FFmpeg (software decoding)"
    assert rows[0]["why"] == "GStreamer nvv4l2decoder (hardware) did not open"
    assert rows[1]["label"] == "OpenCV (FFmpeg, software decoding)"
    assert rows[1]["why"] == "GStreamer nvv4l2decoder (hardware) did not open"
    assert rows[1]["count"] == rows[1]["expected"] == 221 and rows[1]["ended_early"] is None
    assert all(row["shapes"] == [[540, 960, 3]] for row in rows)

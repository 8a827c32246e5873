"""GStreamer pipeline strings, spelled exactly: the Jetson chains (nvv4l2*, omx*) and x86's.

The Jetson strings cannot run here (no NVIDIA elements); their muxer and appsrc halves run for
real in test_video_writers.py with x264enc in place of the hardware encoder.
"""

import pytest

from linknet_edge.errors import SourceError
from linknet_edge.runtime.video.gstreamer import (check_rtsp_url, csi_pipeline, encoder_pipeline,
                                            file_pipeline, rtsp_pipeline)

_BGR_FROM_NVMM = ("nvvidconv ! video/x-raw, format=(string)BGRx ! videoconvert ! "
                  "video/x-raw, format=(string)BGR")
_LIVE = "appsink drop=true max-buffers=1 sync=false"


def test_csi_pipeline():
    assert csi_pipeline(1, 1920, 1080, 60, flip_method=2) == (
        "nvarguscamerasrc sensor-id=1 ! video/x-raw(memory:NVMM), width=(int)1920, "
        "height=(int)1080, framerate=(fraction)60/1, format=(string)NV12 ! "
        "nvvidconv flip-method=2 ! video/x-raw, format=(string)BGRx ! videoconvert ! "
        "video/x-raw, format=(string)BGR ! " + _LIVE)


@pytest.mark.parametrize("codec, decoder, chain", [
    ("h264", "nvv4l2decoder", "rtph264depay ! h264parse ! nvv4l2decoder"),
    ("h265", "nvv4l2decoder", "rtph265depay ! h265parse ! nvv4l2decoder"),
    ("h264", "omxh264dec", "rtph264depay ! h264parse ! omxh264dec"),
], ids=["l4t-nvv4l2-h264", "l4t-nvv4l2-h265", "l4t-omx-h264"])
def test_rtsp_pipeline_on_l4t_converts_nvmm_before_videoconvert(codec, decoder, chain):
    assert rtsp_pipeline("rtsp://10.0.0.2/live", 50, codec, decoder) == (
        'rtspsrc location="rtsp://10.0.0.2/live" latency=50 ! ' + chain + " ! " +
        _BGR_FROM_NVMM + " ! " + _LIVE)


def test_rtsp_pipeline_on_x86_lets_decodebin_pick_a_software_decoder():
    assert rtsp_pipeline("rtsp://user:pw@cam:554/s?ch=1", 200) == (
        'rtspsrc location="rtsp://user:pw@cam:554/s?ch=1" latency=200 ! decodebin ! '
        "videoconvert ! video/x-raw, format=(string)BGR ! " + _LIVE)


@pytest.mark.parametrize("container, codec, decoder, chain", [
    ("mp4", "h264", "nvv4l2decoder", "qtdemux ! h264parse ! nvv4l2decoder"),
    ("mkv", "h265", "nvv4l2decoder", "matroskademux ! h265parse ! nvv4l2decoder"),
    ("mp4", "h264", "omxh264dec", "qtdemux ! h264parse ! omxh264dec"),
], ids=["l4t-nvv4l2-mp4", "l4t-nvv4l2-mkv-h265", "l4t-omx-mp4"])
def test_file_pipeline_on_l4t_keeps_every_frame(container, codec, decoder, chain):
    assert file_pipeline("/data/clip." + container, container, codec, decoder) == (
        'filesrc location="/data/clip.{}" ! {} ! {} ! appsink sync=false'.format(
            container, chain, _BGR_FROM_NVMM))


def test_file_pipeline_with_an_unknown_codec_uses_decodebin():
    assert file_pipeline("/d/x.mp4", None, None, None) == (
        'filesrc location="/d/x.mp4" ! decodebin ! ' + _BGR_FROM_NVMM + " ! appsink sync=false")


_APPSRC = ("appsrc ! video/x-raw, format=(string)BGR ! queue max-size-buffers=4 max-size-bytes=0 "
           "max-size-time=0 ! videoconvert ! ")


@pytest.mark.parametrize("encoder, chain", [
    ("nvv4l2h264enc", "video/x-raw, format=(string)BGRx ! nvvidconv ! "
                      "video/x-raw(memory:NVMM), format=(string)NV12 ! nvv4l2h264enc "
                      "bitrate=4000000 iframeinterval=25 idrinterval=25 insert-sps-pps=true"),
    ("omxh264enc", "video/x-raw, format=(string)BGRx ! nvvidconv ! "
                   "video/x-raw(memory:NVMM), format=(string)I420 ! omxh264enc "
                   "bitrate=4000000 iframeinterval=25 insert-sps-pps=true"),
    ("x264enc", "video/x-raw, format=(string)I420 ! x264enc bitrate=4000 "
                "speed-preset=ultrafast tune=zerolatency key-int-max=25"),
], ids=["l4t-nvv4l2", "l4t-omx", "x86-x264enc"])
def test_encoder_pipelines_per_encoder_and_output(encoder, chain):
    head = _APPSRC + chain + " ! h264parse ! "
    assert encoder_pipeline(encoder, "mp4", "/o/a.part.mp4", 25) == (
        head + 'mp4mux fragment-duration=1000 ! filesink buffer-mode=unbuffered '
               'location="/o/a.part.mp4"')
    assert encoder_pipeline(encoder, "mkv", "/o/a.part.mkv", 25.0) == (
        head + 'matroskamux ! filesink buffer-mode=unbuffered location="/o/a.part.mkv"')
    assert encoder_pipeline(encoder, "rtp", ("10.0.0.5", 5000), 25) == (
        head + "rtph264pay config-interval=1 pt=96 ! udpsink host=10.0.0.5 port=5000 sync=false")
    assert encoder_pipeline(encoder, "mpegts", ("127.0.0.1", 5004), 25) == (
        head + "mpegtsmux ! udpsink host=127.0.0.1 port=5004 sync=false")


def test_keyframes_every_second_at_the_stream_rate():
    assert "iframeinterval=30 idrinterval=30" in encoder_pipeline(
        "nvv4l2h264enc", "mp4", "a.mp4", 29.97, bitrate=2000000)
    assert "x264enc bitrate=2000 " in encoder_pipeline("x264enc", "mp4", "a.mp4", 30, 2000000)


@pytest.mark.parametrize("url", [
    "rtsp://cam/a\tlatency=0", "rtsp://cam/a\nb", "rtsp://cam/a b", 'rtsp://cam/a"b',
    "rtsp://cam/a'b", "rtsp://x/a ! filesink location=/etc/passwd", "rtsp://cam/a!b",
    "rtsp://cam/(a)", "rtsp://cam/a\\b", "http://cam/a", "rtsp://", ""],
    ids=["tab", "newline", "space", "dquote", "squote", "bang-pipeline", "bang", "parens",
         "backslash", "not-rtsp", "no-host", "empty"])
def test_rtsp_urls_outside_the_allow_list_are_one_line_source_errors(url):
    with pytest.raises(SourceError) as info:
        rtsp_pipeline(url)
    message = str(info.value)
    assert repr(url) in message and "\n" not in message and "not a usable RTSP URL" in message


@pytest.mark.parametrize("url", ["rtsp://10.0.0.2:8554/live", "rtsps://u:p%40w@cam/s?ch=1&x=2",
                                 "rtsp://[fe80::1]:554/stream_1"])
def test_ordinary_rtsp_urls_pass(url):
    assert check_rtsp_url(url) == url

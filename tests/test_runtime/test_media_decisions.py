"""Which decoder and encoder each machine gets, decided from injected facts.

The facts (L4T release, board, OpenCV's GStreamer, GStreamer elements, ffmpeg) are what
``probe_media_facts`` reads on a real machine; injecting them lets the Jetson decisions run
here. Nothing is mocked: these are pure functions of the facts.
"""

import pytest

from linknet_edge.runtime.video.decoding import file_targets, rtsp_targets
from linknet_edge.runtime.video.media import (MediaFacts, h264_encoders, hardware_decoder,
                                        probe_media_facts)

XAVIER = dict(l4t="R35.4.1", board="Jetson AGX Xavier Developer Kit", opencv_gstreamer=True)
NANO_JP46 = dict(l4t="R32.7.1", board="NVIDIA Jetson Nano Developer Kit", opencv_gstreamer=True)
ORIN_NANO = dict(l4t="R36.3.0", board="NVIDIA Jetson Orin Nano Developer Kit",
                 opencv_gstreamer=True)
NV_ELEMENTS = {"nvv4l2decoder", "nvv4l2h264enc", "nvvidconv", "omxh264dec", "omxh264enc"}
OMX_ONLY = {"omxh264dec", "omxh265dec", "omxh264enc", "nvvidconv"}


def test_injected_l4t_facts_choose_nvv4l2_first_and_omx_only_where_it_is_alone():
    assert hardware_decoder("h264", MediaFacts(elements=NV_ELEMENTS, **NANO_JP46)) == \
        "nvv4l2decoder"
    assert hardware_decoder("h265", MediaFacts(elements=OMX_ONLY, **NANO_JP46)) == "omxh265dec"
    assert hardware_decoder("h264", MediaFacts(elements=set(), **NANO_JP46)) is None
    assert hardware_decoder("mpeg4", MediaFacts(elements=NV_ELEMENTS, **XAVIER)) is None


def test_injected_x86_facts_never_choose_a_jetson_element():
    x86 = MediaFacts(opencv_gstreamer=True, elements=NV_ELEMENTS | {"x264enc"},
                     ffmpeg_h264="/usr/bin/ffmpeg")
    assert hardware_decoder("h264", x86) is None
    assert h264_encoders(x86) == [("ffmpeg", "libx264"), ("gstreamer", "x264enc")]


def test_injected_facts_without_opencv_gstreamer_reach_no_gstreamer_element():
    facts = MediaFacts(l4t="R32.7.1", opencv_gstreamer=False, elements=NV_ELEMENTS)
    assert hardware_decoder("h264", facts) is None
    assert h264_encoders(facts) == []


@pytest.mark.parametrize("facts, expected", [
    (dict(elements=NV_ELEMENTS, ffmpeg_h264="/usr/bin/ffmpeg", **XAVIER),
     [("gstreamer", "nvv4l2h264enc"), ("ffmpeg", "libx264")]),
    (dict(elements=OMX_ONLY, **NANO_JP46), [("gstreamer", "omxh264enc")]),
    # the nvv4l2h264enc plugin ships on Orin Nano, but the chip has no NVENC
    (dict(elements=NV_ELEMENTS | {"x264enc"}, ffmpeg_h264="/usr/bin/ffmpeg", **ORIN_NANO),
     [("ffmpeg", "libx264"), ("gstreamer", "x264enc")]),
    (dict(elements=set()), []),
], ids=["xavier", "jetpack4-omx-only", "orin-nano-software", "bare-x86"])
def test_injected_facts_order_the_h264_encoders(facts, expected):
    assert h264_encoders(MediaFacts(**facts)) == expected


def test_injected_l4t_facts_decode_rtsp_in_hardware_with_ffmpeg_behind():
    targets = rtsp_targets("rtsp://cam/live", MediaFacts(elements=NV_ELEMENTS, **XAVIER),
                           latency=100, codec="h265")
    assert [(t.api, t.label) for t in targets] == [
        ("gstreamer", "GStreamer nvv4l2decoder (hardware)"),
        ("ffmpeg", "FFmpeg (software decoding)")]
    assert "rtph265depay ! h265parse ! nvv4l2decoder ! nvvidconv" in targets[0].target
    assert targets[1].target == "rtsp://cam/live"


def test_injected_x86_facts_decode_rtsp_with_decodebin_or_ffmpeg():
    with_gst = rtsp_targets("rtsp://cam/live", MediaFacts(opencv_gstreamer=True, elements=()))
    assert "decodebin" in with_gst[0].target and with_gst[1].api == "ffmpeg"
    without = rtsp_targets("rtsp://cam/live", MediaFacts(opencv_gstreamer=False))
    assert [(t.api, t.why) for t in without] == [
        ("ffmpeg", "this OpenCV was built without GStreamer")]


@pytest.mark.parametrize("codec, first", [
    ("h264", 'filesrc location="/v/clip.mp4" ! qtdemux ! h264parse ! omxh264dec ! nvvidconv'),
    (None, 'filesrc location="/v/clip.mp4" ! decodebin ! nvvidconv'),
    ("mpeg4", "/v/clip.mp4"),
], ids=["h264-omx", "unknown-codec", "mpeg4-software"])
def test_injected_l4t_facts_decode_files_by_codec(codec, first):
    targets = file_targets("/v/clip.mp4", MediaFacts(elements=OMX_ONLY, **NANO_JP46), codec)
    assert targets[0].target.startswith(first)
    assert targets[-1].target == "/v/clip.mp4" and targets[-1].api is None


def test_x86_files_go_straight_to_opencv():
    assert [t.target for t in file_targets("/v/a.mp4", MediaFacts(), "h264")] == ["/v/a.mp4"]


def test_this_machine_is_probed_once():
    facts = probe_media_facts()
    assert facts is probe_media_facts()
    assert facts.l4t is None or facts.l4t.startswith("R")


def test_injected_l4t_facts_keep_a_path_gstreamer_cannot_quote_on_opencv():
    targets = file_targets('/v/a "b".mp4', MediaFacts(elements=NV_ELEMENTS, **XAVIER), "h264")
    assert [t.api for t in targets] == [None]
    assert targets[0].why == "the path holds characters a GStreamer pipeline cannot take"

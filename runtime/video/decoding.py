"""How a video file or an RTSP stream is opened here: OpenCV capture targets, best first.

On a Jetson (``MediaFacts.l4t``) with OpenCV's GStreamer, H.264/H.265 is decoded by NVIDIA's
decoder through an explicit GStreamer chain (``runtime.video.gstreamer``), with FFmpeg as the fallback
when that pipeline does not open. Elsewhere files go straight to OpenCV's FFmpeg backend and
RTSP goes to GStreamer's ``decodebin`` where OpenCV has GStreamer (lower latency), else FFmpeg.
Pure functions of the facts: ``VideoSource`` opens the first target that delivers a frame.
"""

import collections
import os

from .gstreamer import check_rtsp_url, file_pipeline, gst_quotable, rtsp_pipeline
from .media import hardware_decoder

__all__ = ["CaptureTarget", "file_targets", "rtsp_targets", "video_codec", "CONTAINERS"]

#: ``target`` for ``cv2.VideoCapture``; ``api`` gstreamer, ffmpeg, v4l2 or None (OpenCV picks);
#: ``label`` for logs; ``why`` says why a better target was not offered (None if none was).
CaptureTarget = collections.namedtuple("CaptureTarget", "target api label why")

#: file suffix -> container (for the demuxer)
CONTAINERS = {".mp4": "mp4", ".mov": "mp4", ".m4v": "mp4", ".mkv": "mkv", ".webm": "mkv"}
_CODECS = {"avc1": "h264", "avc3": "h264", "h264": "h264", "x264": "h264",
           "hev1": "h265", "hvc1": "h265", "hevc": "h265", "h265": "h265"}


def video_codec(path):
    """h264, h265, another FourCC in lower case, or None if OpenCV cannot read the header."""
    import cv2
    capture = cv2.VideoCapture(path)
    try:
        if not capture.isOpened():
            return None
        code = int(capture.get(cv2.CAP_PROP_FOURCC))
    finally:
        capture.release()
    fourcc = "".join(chr((code >> 8 * i) & 0xFF) for i in range(4)).strip("\x00 ").lower()
    return _CODECS.get(fourcc, fourcc or None)


def file_targets(path, facts, codec=None):
    """Targets for a video file; ``codec`` (h264/h265/other/None) is the file's, probed by the
    caller (``video_codec``) only on a Jetson, where it picks the hardware chain."""
    plain = CaptureTarget(path, None, "OpenCV (FFmpeg, software decoding)", None)
    if facts.l4t is None or not facts.opencv_gstreamer:
        return [plain]
    container = CONTAINERS.get(os.path.splitext(path)[1].lower())
    if not gst_quotable(path):
        return [plain._replace(why="the path holds characters a GStreamer pipeline cannot take")]
    if codec in ("h264", "h265") and container:
        decoder = hardware_decoder(codec, facts)
        if decoder is None:
            return [plain._replace(why="no hardware {} decoder element".format(codec))]
        return [CaptureTarget(file_pipeline(path, container, codec, decoder), "gstreamer",
                              "GStreamer {} (hardware)".format(decoder), None), plain]
    if codec is None and hardware_decoder("h264", facts):
        # header unreadable by OpenCV: decodebin finds the demuxer and ranks NVIDIA's first
        return [CaptureTarget(file_pipeline(path, None, None, None), "gstreamer",
                              "GStreamer decodebin (hardware where it can)", None), plain]
    return [plain._replace(why="{} is decoded in software".format(codec or "this codec"))]


def rtsp_targets(url, facts, latency=200, codec="h264"):
    """Targets for an RTSP URL (checked with ``check_rtsp_url``); ``codec`` h264 or h265
    matters only for the Jetson chain (x86 uses decodebin)."""
    check_rtsp_url(url)
    ffmpeg = CaptureTarget(url, "ffmpeg", "FFmpeg (software decoding)", None)
    if not facts.opencv_gstreamer:
        return [ffmpeg._replace(why="this OpenCV was built without GStreamer")]
    decoder = hardware_decoder(codec, facts) if facts.l4t is not None else None
    if decoder is not None:
        label = "GStreamer {} (hardware)".format(decoder)
    else:
        label = "GStreamer decodebin (software)"
    return [CaptureTarget(rtsp_pipeline(url, latency, codec, decoder), "gstreamer", label,
                          None), ffmpeg]

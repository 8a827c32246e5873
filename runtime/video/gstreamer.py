"""GStreamer pipeline strings for OpenCV's ``CAP_GSTREAMER`` (pure functions) and two probes.

JetPack's OpenCV is built with GStreamer; that is how the CSI camera (``nvarguscamerasrc``), the
hardware decoders (``nvv4l2decoder``; ``omxh264dec`` on old JetPack 4) and encoders
(``nvv4l2h264enc``, ``omxh264enc``) reach OpenCV on a Jetson. NVIDIA's decoders hand out NVMM
(GPU) buffers that ``videoconvert`` refuses, so every hardware chain goes through ``nvvidconv``
to BGRx in system memory first. Which element a chain uses is decided in ``runtime.video.media``;
these functions only spell the chosen chain. Live pipelines end in an ``appsink`` that keeps
only the newest buffer (a slow consumer sees fresh frames); file pipelines keep every frame.
"""

import re
import shutil
import subprocess

from linknet_edge.errors import SourceError

__all__ = ["csi_pipeline", "rtsp_pipeline", "file_pipeline", "encoder_pipeline",
           "check_rtsp_url", "gst_quotable", "opencv_has_gstreamer", "gst_element_available",
           "PARSERS"]

_LIVE_APPSINK = "appsink drop=true max-buffers=1 sync=false"
_FILE_APPSINK = "appsink sync=false"
_TO_BGR = "videoconvert ! video/x-raw, format=(string)BGR"
_FROM_NVMM = "nvvidconv ! video/x-raw, format=(string)BGRx ! " + _TO_BGR
#: codec -> (RTP depayloader, stream parser)
PARSERS = {"h264": ("rtph264depay", "h264parse"), "h265": ("rtph265depay", "h265parse")}
_DEMUXERS = {"mp4": "qtdemux", "mkv": "matroskademux"}
# RFC 3986 characters minus those gst-launch syntax or rtspsrc would read as structure
# ('!', quotes, spaces, parentheses, backslash); anything else must be percent-encoded.
_RTSP_URL = re.compile(r"rtsps?://[A-Za-z0-9\-._~:/?#\[\]@$&+,;=%]+\Z")


def csi_pipeline(sensor_id=0, width=1280, height=720, framerate=30, flip_method=0):
    """A Jetson CSI camera (Argus) delivering BGR frames of ``width`` x ``height``."""
    return (
        "nvarguscamerasrc sensor-id={sensor} ! "
        "video/x-raw(memory:NVMM), width=(int){w}, height=(int){h}, "
        "framerate=(fraction){fps}/1, format=(string)NV12 ! "
        "nvvidconv flip-method={flip} ! video/x-raw, format=(string)BGRx ! "
        "videoconvert ! video/x-raw, format=(string)BGR ! {sink}").format(
            sensor=int(sensor_id), w=int(width), h=int(height), fps=int(framerate),
            flip=int(flip_method), sink=_LIVE_APPSINK)


def check_rtsp_url(url):
    """``url`` if it is an ``rtsp(s)://`` URL of allowed characters, else a one-line
    ``SourceError`` (a tab, newline, quote or '!' would inject rtspsrc properties)."""
    if not _RTSP_URL.match(url or ""):
        raise SourceError("{!r}: not a usable RTSP URL; it must be rtsp://HOST[:PORT]/PATH "
                          "with letters, digits and -._~:/?#[]@$&+,;=% only "
                          "(percent-encode anything else)".format(url))
    return url


def rtsp_pipeline(url, latency=200, codec="h264", decoder=None):
    """An RTSP stream with a ``latency`` ms jitter buffer delivering BGR frames.

    ``decoder`` None: ``decodebin`` picks a software decoder for whatever codec arrives (x86).
    A Jetson decoder (``nvv4l2decoder``, ``omxh264dec``...) gets the explicit
    depay ! parse ! decoder ! nvvidconv chain for ``codec`` (h264 or h265).
    """
    head = 'rtspsrc location="{}" latency={} ! '.format(check_rtsp_url(url), int(latency))
    if decoder is None:
        return head + "decodebin ! " + _TO_BGR + " ! " + _LIVE_APPSINK
    depay, parse = PARSERS[codec]
    return "{}{} ! {} ! {} ! {} ! {}".format(head, depay, parse, decoder, _FROM_NVMM,
                                             _LIVE_APPSINK)


def file_pipeline(path, container, codec, decoder):
    """A video file decoded by a Jetson ``decoder``, every frame delivered as BGR.

    ``container`` mp4 or mkv and ``codec`` h264 or h265 give the demuxer and parser; with
    ``codec`` None, ``decodebin`` chooses (it ranks NVIDIA's decoder first on L4T).
    """
    location = 'filesrc location="{}" ! '.format(_quoted(path))
    if codec is None:
        return location + "decodebin ! " + _FROM_NVMM + " ! " + _FILE_APPSINK
    return "{}{} ! {} ! {} ! {} ! {}".format(location, _DEMUXERS[container], PARSERS[codec][1],
                                             decoder, _FROM_NVMM, _FILE_APPSINK)


def gst_quotable(text):
    """True if ``text`` can stand in a double-quoted pipeline property (no quote, backslash,
    tab or line break)."""
    return not any(c in text for c in '"\\\n\r\t')


def _quoted(path):
    if not gst_quotable(path):
        raise ValueError("path holds a quote, backslash or control character: {!r}".format(path))
    return path


def _encoder_chain(encoder, fps, bitrate):
    """appsrc BGR -> H.264 by ``encoder``, a keyframe (with SPS/PPS) every second."""
    gop = max(1, int(round(fps)))
    # a short blocking queue lets the encoder run in its own thread without the writer
    # getting more than a few frames ahead (frames still queued are lost if we are killed)
    head = ("appsrc ! video/x-raw, format=(string)BGR ! queue max-size-buffers=4 "
            "max-size-bytes=0 max-size-time=0 ! videoconvert ! ")
    if encoder == "nvv4l2h264enc":
        return head + ("video/x-raw, format=(string)BGRx ! nvvidconv ! "
                       "video/x-raw(memory:NVMM), format=(string)NV12 ! "
                       "nvv4l2h264enc bitrate={} iframeinterval={} idrinterval={} "
                       "insert-sps-pps=true").format(int(bitrate), gop, gop)
    if encoder == "omxh264enc":
        return head + ("video/x-raw, format=(string)BGRx ! nvvidconv ! "
                       "video/x-raw(memory:NVMM), format=(string)I420 ! "
                       "omxh264enc bitrate={} iframeinterval={} insert-sps-pps=true").format(
                           int(bitrate), gop)
    if encoder == "x264enc":
        return head + ("video/x-raw, format=(string)I420 ! x264enc bitrate={} "
                       "speed-preset=ultrafast tune=zerolatency key-int-max={}").format(
                           max(1, int(bitrate) // 1000), gop)
    raise ValueError("unknown GStreamer H.264 encoder {!r}".format(encoder))


def encoder_pipeline(encoder, output, location, fps, bitrate=4000000):
    """An ``appsrc`` pipeline for ``cv2.VideoWriter(..., cv2.CAP_GSTREAMER, ...)`` that encodes
    BGR frames to H.264 at ``bitrate`` bits/s and writes ``output``:

    - ``mp4``: fragmented MP4 at ``location`` (a fragment a second, so a killed process
      leaves a playable file), ``mkv``: Matroska (readable up to its last cluster);
    - ``rtp``: RTP/UDP to ``location`` = (host, port), ``mpegts``: MPEG-TS over UDP.
    """
    chain = _encoder_chain(encoder, fps, bitrate) + " ! h264parse ! "
    # unbuffered: a finished fragment reaches the disk at once, not when 64 KiB have gathered
    filesink = 'filesink buffer-mode=unbuffered location="{}"'.format(
        _quoted(location)) if output in ("mp4", "mkv") else None
    if output == "mp4":
        return chain + "mp4mux fragment-duration=1000 ! " + filesink
    if output == "mkv":
        return chain + "matroskamux ! " + filesink
    host, port = location
    udp = "udpsink host={} port={} sync=false".format(host, int(port))
    if output == "rtp":
        return chain + "rtph264pay config-interval=1 pt=96 ! " + udp
    if output == "mpegts":
        return chain + "mpegtsmux ! " + udp
    raise ValueError("unknown output {!r}".format(output))


def opencv_has_gstreamer():
    """True if this OpenCV was built with the GStreamer video I/O backend."""
    import cv2
    for line in cv2.getBuildInformation().splitlines():
        if line.strip().startswith("GStreamer:"):
            return line.split(":", 1)[1].strip().upper().startswith("YES")
    return False


_ELEMENTS = {}


def gst_element_available(name):
    """True if ``gst-inspect-1.0 NAME`` finds the element (asked once per name, quietly)."""
    if name not in _ELEMENTS:
        inspect = shutil.which("gst-inspect-1.0")
        found = False
        if inspect:
            try:
                found = subprocess.call([inspect, name], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, timeout=30) == 0
            except (OSError, subprocess.TimeoutExpired):
                found = False
        _ELEMENTS[name] = found
    return _ELEMENTS[name]

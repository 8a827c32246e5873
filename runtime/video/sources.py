"""Video sources named by URI, iterated as ``(index, frame, timestamp)``.

Frames are HWC uint8 BGR. ``timestamp`` is seconds: media time (index / fps) for files and
images, wall-clock ``time.time()`` for live sources. URIs (options may also come as a query,
``csi://0?width=1920&height=1080``):

- ``clip.mp4``, ``file:///abs/clip.avi``: a video file (``loop=True`` restarts it)
- ``photo.png``, ``frames/``, ``frames/*.jpg``: an image, a folder or a glob (sorted by name)
- ``v4l2:///dev/video0`` or a bare index ``0``: a V4L2 camera
- ``csi://0``: a Jetson CSI camera through GStreamer (``width``, ``height``, ``framerate``)
- ``rtsp://host/path``: GStreamer with a ``latency`` ms jitter buffer where OpenCV has it (on a
  Jetson NVIDIA's decoder for ``codec`` h264 or h265, e.g. ``rtsp://cam/live?codec=h265``),
  FFmpeg otherwise or when the GStreamer pipeline does not open (``fallback_reason`` says why)
- ``http(s)://...``: MJPEG or anything OpenCV's FFmpeg opens

How files and streams are decoded on which machine: ``runtime.video.decoding``. Live sources
reconnect after a drop: ``retries`` attempts, waiting ``backoff`` seconds and doubling (at most
8 s), each one logged. A source that stops before its end sets ``ended_early`` (one line: a file
that ends before its frame count, a stream lost for good) and ends the iteration.
"""

import os

from linknet_edge.errors import SourceError
from linknet_edge.images import IMAGE_SUFFIXES, list_images

from .decoding import CaptureTarget, file_targets, rtsp_targets, video_codec
from .frames import FrameSource
from .gstreamer import csi_pipeline
from .media import probe_media_facts
from .video_source import VideoSource

__all__ = ["FrameSource", "VideoSource", "ImageSource", "open_source", "parse_source_uri",
           "IMAGE_SUFFIXES"]


def parse_source_uri(uri):
    """``(kind, location, options)``; kind is file, images, v4l2, csi, rtsp or http."""
    from urllib.parse import parse_qsl, urlsplit
    text = str(uri).strip()
    if text.isdigit():
        return "v4l2", "/dev/video" + text, {}
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in ("rtsp", "rtsps"):
        url, options = _without_options(text, ("codec", "latency"))
        return "rtsp", url, options
    if scheme in ("http", "https"):
        return "http", text, {}
    if scheme in ("v4l2", "csi", "file"):
        parts = urlsplit(text)
        options = dict(parse_qsl(parts.query))
        location = parts.netloc + parts.path
        if scheme == "csi":
            return "csi", location or "0", options
        if scheme == "v4l2" and location.isdigit():
            location = "/dev/video" + location
        return scheme if scheme == "v4l2" else _file_kind(location), location, options
    if scheme:
        raise SourceError("{}: unknown source scheme {!r}; use a file, folder, glob, v4l2://, "
                          "csi://, rtsp:// or http(s)://".format(uri, scheme))
    return _file_kind(os.path.expanduser(text)), os.path.expanduser(text), {}


def _without_options(url, names):
    """``(url, options)``: our options taken out of the query, the camera's own left in as
    they were written."""
    from urllib.parse import parse_qsl
    base, _, query = url.partition("?")
    ours, theirs = {}, []
    for part in query.split("&") if query else ():
        pair = parse_qsl(part, keep_blank_values=True)
        if pair and pair[0][0] in names:
            ours[pair[0][0]] = pair[0][1]
        else:
            theirs.append(part)
    return (base + ("?" + "&".join(theirs) if theirs else "")) if ours else url, ours


def _file_kind(path):
    if os.path.isdir(path) or any(c in path for c in "*?["):
        return "images"
    return "images" if path.lower().endswith(IMAGE_SUFFIXES) else "file"


def open_source(uri, loop=False, retries=5, backoff=0.5, facts=None, **options):
    """Open ``uri`` as a ``FrameSource``; raises a one-line ``SourceError`` if it cannot be read.

    Options: ``width``, ``height``, ``framerate``, ``flip_method`` (csi), ``latency`` (rtsp, ms),
    ``codec`` (rtsp on a Jetson: h264 or h265), ``fps`` (images, default 10). ``facts``
    (``runtime.video.media.MediaFacts``) replaces this machine's probed codec facts.
    """
    kind, location, uri_options = parse_source_uri(uri)
    for key, value in uri_options.items():
        options.setdefault(key, value)
    if kind == "images":
        return ImageSource(str(uri), _image_files(uri, location), loop=loop,
                           fps=float(options.get("fps", 10)))
    live = dict(live=True, retries=retries, backoff=backoff)
    if kind == "file":
        if not os.path.isfile(location):
            raise SourceError("{}: no such video file".format(location))
        facts = facts or probe_media_facts()
        codec = video_codec(location) if facts.l4t and facts.opencv_gstreamer else None
        return VideoSource(str(uri), file_targets(location, facts, codec), loop=loop,
                           file=location)
    if kind == "v4l2":
        if not os.path.exists(location):
            raise SourceError("{}: no such camera device".format(location))
        return VideoSource(str(uri), [CaptureTarget(location, "v4l2", "V4L2", None)],
                           size=(options.get("width"), options.get("height")), **live)
    facts = facts or probe_media_facts()
    if kind == "csi":
        if not facts.opencv_gstreamer:
            raise SourceError("{}: a CSI camera needs OpenCV with GStreamer and nvarguscamerasrc "
                              "(a Jetson); this OpenCV was built without GStreamer".format(uri))
        pipeline = csi_pipeline(int(location), int(options.get("width", 1280)),
                                int(options.get("height", 720)),
                                int(options.get("framerate", 30)),
                                int(options.get("flip_method", 0)))
        return VideoSource(str(uri), [CaptureTarget(pipeline, "gstreamer", "GStreamer", None)],
                           **live)
    if kind == "rtsp":
        codec = str(options.get("codec", "h264")).lower()
        if codec not in ("h264", "h265"):
            raise SourceError("{}: codec must be h264 or h265, got {!r}".format(uri, codec))
        latency = str(options.get("latency", 200))
        if not latency.isdigit():
            raise SourceError("{}: latency must be whole milliseconds, got {!r}".format(
                uri, latency))
        targets = rtsp_targets(location, facts, int(latency), codec)
        return VideoSource(str(uri), targets, **live)
    return VideoSource(str(uri), [CaptureTarget(location, "ffmpeg", "FFmpeg", None)], **live)


def _image_files(uri, location):
    files = list_images(location)
    if not files:
        raise SourceError("{}: no image files found ({})".format(
            uri, "/".join(s.lstrip(".") for s in IMAGE_SUFFIXES[:4])))
    return files


class ImageSource(FrameSource):
    """Image files in name order, at a nominal ``fps`` (for timestamps and video sinks)."""

    def __init__(self, uri, files, loop=False, fps=10.0):
        super(ImageSource, self).__init__(uri, loop=loop)
        self.files = list(files)
        self.fps = fps
        self.frame_count = len(self.files)
        self._next = 0

    def _read(self):
        import cv2
        if self._next >= len(self.files):
            if not self.loop:
                return None, None
            self._next = 0
        path = self.files[self._next]
        self._next += 1
        frame = cv2.imread(path, cv2.IMREAD_COLOR)
        if frame is None:
            raise SourceError("{}: cannot decode image (corrupt or not an image)".format(path))
        return frame, self._media_time()

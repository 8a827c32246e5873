"""Video sources named by URI, iterated as ``(index, frame, timestamp)``.

Frames are HWC uint8 BGR. ``timestamp`` is seconds: media time (index / fps) for files and
images, wall-clock ``time.time()`` for live sources. URIs (options may also come as a query,
``csi://0?width=1920&height=1080``):

- ``clip.mp4``, ``file:///abs/clip.avi``: a video file (``loop=True`` restarts it)
- ``photo.png``, ``frames/``, ``frames/*.jpg``: an image, a folder or a glob (sorted by name)
- ``v4l2:///dev/video0`` or a bare index ``0``: a V4L2 camera
- ``csi://0``: a Jetson CSI camera through GStreamer (``width``, ``height``, ``framerate``)
- ``rtsp://host/path``: GStreamer with ``latency`` ms where OpenCV has it, else FFmpeg
- ``http(s)://...``: MJPEG or anything OpenCV's FFmpeg opens

Live sources reconnect after a drop: ``retries`` attempts, waiting ``backoff`` seconds and
doubling (at most 8 s), each one logged.
"""

import logging
import os
import time

from linknet_edge.errors import SourceError
from linknet_edge.images import IMAGE_SUFFIXES, list_images

from .gstreamer import csi_pipeline, opencv_has_gstreamer, rtsp_pipeline

__all__ = ["FrameSource", "VideoSource", "ImageSource", "open_source", "parse_source_uri",
           "IMAGE_SUFFIXES"]

logger = logging.getLogger(__name__)

_MAX_BACKOFF = 8.0


def parse_source_uri(uri):
    """``(kind, location, options)``; kind is file, images, v4l2, csi, rtsp or http."""
    from urllib.parse import parse_qsl, urlsplit
    text = str(uri).strip()
    if text.isdigit():
        return "v4l2", "/dev/video" + text, {}
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in ("rtsp", "rtsps", "http", "https"):
        return ("rtsp" if scheme.startswith("rtsp") else "http"), text, {}
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


def _file_kind(path):
    if os.path.isdir(path) or any(c in path for c in "*?["):
        return "images"
    return "images" if path.lower().endswith(IMAGE_SUFFIXES) else "file"


def open_source(uri, loop=False, retries=5, backoff=0.5, **options):
    """Open ``uri`` as a ``FrameSource``; raises a one-line ``SourceError`` if it cannot be read.

    Options: ``width``, ``height``, ``framerate``, ``flip_method`` (csi), ``latency`` (rtsp, ms),
    ``fps`` (images, default 10).
    """
    kind, location, uri_options = parse_source_uri(uri)
    for key, value in uri_options.items():
        options.setdefault(key, value)
    if kind == "images":
        return ImageSource(str(uri), _image_files(uri, location), loop=loop,
                           fps=float(options.get("fps", 10)))
    if kind == "file":
        if not os.path.isfile(location):
            raise SourceError("{}: no such video file".format(location))
        return VideoSource(str(uri), location, None, live=False, loop=loop)
    import cv2
    if kind == "v4l2":
        if not os.path.exists(location):
            raise SourceError("{}: no such camera device".format(location))
        return VideoSource(str(uri), location, cv2.CAP_V4L2, live=True, retries=retries,
                           backoff=backoff, size=(options.get("width"), options.get("height")))
    if kind == "csi":
        if not opencv_has_gstreamer():
            raise SourceError("{}: a CSI camera needs OpenCV with GStreamer and nvarguscamerasrc "
                              "(a Jetson); this OpenCV was built without GStreamer".format(uri))
        pipeline = csi_pipeline(int(location), int(options.get("width", 1280)),
                                int(options.get("height", 720)),
                                int(options.get("framerate", 30)),
                                int(options.get("flip_method", 0)))
        return VideoSource(str(uri), pipeline, cv2.CAP_GSTREAMER, live=True, retries=retries,
                           backoff=backoff)
    if kind == "rtsp" and opencv_has_gstreamer():
        pipeline = rtsp_pipeline(location, int(options.get("latency", 200)))
        return VideoSource(str(uri), pipeline, cv2.CAP_GSTREAMER, live=True, retries=retries,
                           backoff=backoff)
    return VideoSource(str(uri), location, cv2.CAP_FFMPEG, live=True, retries=retries,
                       backoff=backoff)


def _image_files(uri, location):
    files = list_images(location)
    if not files:
        raise SourceError("{}: no image files found ({})".format(
            uri, "/".join(s.lstrip(".") for s in IMAGE_SUFFIXES[:4])))
    return files


class FrameSource(object):
    """Iterator of ``(index, frame_bgr, timestamp)``; ``index`` counts every frame yielded."""

    is_live = False
    fps = None
    frame_count = None

    def __init__(self, uri, loop=False):
        self.uri = uri
        self.loop = bool(loop)
        self._index = 0
        self._closed = False

    def __iter__(self):
        return self

    def __next__(self):
        if self._closed:
            raise StopIteration
        frame, timestamp = self._read()
        if frame is None:
            raise StopIteration
        index = self._index
        self._index += 1
        return index, frame, timestamp

    def _read(self):
        raise NotImplementedError

    def _media_time(self):
        return self._index / float(self.fps) if self.fps else time.time()

    def close(self):
        """Release the device or file; safe to call twice."""
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class VideoSource(FrameSource):
    """A ``cv2.VideoCapture`` on a file, a camera, a GStreamer pipeline or a stream URL."""

    def __init__(self, uri, target, api=None, live=False, loop=False, retries=5, backoff=0.5,
                 size=(None, None)):
        super(VideoSource, self).__init__(uri, loop=loop)
        self.is_live = bool(live)
        self._target, self._api, self._size = target, api, size
        self._retries, self._backoff = int(retries), float(backoff)
        self._capture = self._open()
        ok, frame = self._capture.read()
        if not ok or frame is None:
            self._capture.release()
            raise SourceError("{}: opened but no frame could be read ({})".format(
                uri, "stream gave nothing" if live else "corrupt, empty or unsupported codec"))
        self._pending = frame
        self._pass_frames = self._attempt = 0
        import cv2
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if fps and 0 < fps < 1000 else None
        count = int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.frame_count = count if count > 0 and not live else None

    def _open(self):
        import cv2
        capture = (cv2.VideoCapture(self._target) if self._api is None
                   else cv2.VideoCapture(self._target, self._api))
        if not capture.isOpened():
            capture.release()
            raise SourceError("{}: cannot open ({})".format(
                self.uri, "not a video OpenCV can decode" if not self.is_live
                else "device busy, stream down or pipeline refused"))
        width, height = self._size
        if width and height:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, int(width))
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, int(height))
        if self.is_live:
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        return capture

    def _read(self):
        while not self._closed:
            if self._pending is not None:
                frame, self._pending = self._pending, None
            else:
                ok, frame = self._capture.read() if self._capture else (False, None)
                frame = frame if ok else None
            if frame is not None:
                self._pass_frames += 1
                self._attempt = 0
                return frame, (time.time() if self.is_live else self._media_time())
            if self.is_live:
                self._reconnect()
            elif self.loop and self._pass_frames:
                logger.debug("%s: end of file, looping", self.uri)
                self._capture.release()
                self._capture, self._pass_frames = self._open(), 0
            else:
                return None, None
        return None, None

    def _reconnect(self):
        if self._capture is not None:
            self._capture.release()
            self._capture = None
        # _attempt is reset only by a frame, so a stream that reconnects but never delivers
        # still runs out of attempts.
        while self._attempt < self._retries and not self._closed:
            self._attempt += 1
            wait = min(self._backoff * 2 ** (self._attempt - 1), _MAX_BACKOFF)
            logger.warning("%s: stream dropped; reconnect %d/%d in %.1f s", self.uri,
                           self._attempt, self._retries, wait)
            time.sleep(wait)
            try:
                self._capture = self._open()
            except SourceError:
                continue
            logger.info("%s: reconnected", self.uri)
            return
        if self._closed:
            return
        raise SourceError("{}: stream lost; {} reconnect attempts failed".format(
            self.uri, self._retries))

    def close(self):
        super(VideoSource, self).close()
        if self._capture is not None:
            self._capture.release()
            self._capture = None


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

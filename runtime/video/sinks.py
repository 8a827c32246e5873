"""Outputs named by URI. Each sink gets ``write(index, overlay_bgr, classes)`` per frame.

- ``display://0``: an OpenCV window (only where a display exists; ``q`` or Esc stops the run)
- ``out.mp4``, ``out.mkv``, ``out.avi``, ``file:///abs/out.mp4``: a video of the overlays,
  H.264 in .mp4/.mkv where an encoder exists, MJPG in .avi; written as ``NAME.part.EXT`` and
  renamed when closed (also on Ctrl-C and SIGTERM); a killed run leaves the ``.part`` file
  playable up to about a second before the kill
- ``overlays/`` or ``dir://DIR``: one ``000000.jpg`` overlay image per frame
- ``masks://DIR``: one ``000000.png`` class-index mask per frame (8-bit, 16-bit past 255 classes)
- ``http://HOST:PORT``: an MJPEG stream with a page at ``/`` (see ``runtime.video.mjpeg``); bound to
  127.0.0.1 unless the URI or ``host=`` says otherwise
- ``rtp://HOST:PORT`` (with an SDP file), ``udp://HOST:PORT`` (MPEG-TS): H.264 sent to a
  player at HOST (see ``runtime.video.streaming``)
- ``none``: discard (for measuring)

``classes`` is the (H, W) uint8 class map at frame size; ``overlay_bgr`` is None for sinks
that do not need it (``needs_overlay`` False).
"""

import logging
import os

import numpy as np

from linknet_edge.atomic import check_writable
from linknet_edge.errors import SinkError

__all__ = ["Sink", "NullSink", "DisplaySink", "VideoFileSink", "ImageFolderSink",
           "MaskFolderSink", "MjpegSink", "MultiSink", "open_sink", "VIDEO_SUFFIXES"]

logger = logging.getLogger(__name__)

#: suffix -> output kind of ``runtime.video.video_writers.open_video_writer``
VIDEO_SUFFIXES = {".avi": "avi", ".mp4": "mp4", ".mkv": "mkv"}


class Sink(object):
    """One output. ``stop_requested`` becomes True when the user closes it (a window)."""

    needs_overlay = True
    stop_requested = False

    def __init__(self, uri):
        self.uri = uri

    def write(self, index, overlay_bgr, classes):
        raise NotImplementedError

    def close(self):
        """Flush and release; safe to call twice."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class NullSink(Sink):
    needs_overlay = False

    def write(self, index, overlay_bgr, classes):
        pass


class DisplaySink(Sink):
    def __init__(self, uri, title="linknet-edge"):
        super(DisplaySink, self).__init__(uri)
        if os.name == "posix" and not (os.environ.get("DISPLAY") or
                                       os.environ.get("WAYLAND_DISPLAY")):
            raise SinkError("{}: no display here (DISPLAY is not set); write a file or serve "
                            "http://127.0.0.1:8080 instead".format(uri))
        import cv2
        self._cv2, self._title = cv2, title
        try:
            cv2.namedWindow(title, cv2.WINDOW_NORMAL)
        except cv2.error:
            raise SinkError("{}: this OpenCV has no GUI support (headless build); write a file "
                            "or serve http://127.0.0.1:8080 instead".format(uri))
        self._open = True

    def write(self, index, overlay_bgr, classes):
        self._cv2.imshow(self._title, overlay_bgr)
        if self._cv2.waitKey(1) & 0xFF in (ord("q"), 27):
            self.stop_requested = True

    def close(self):
        if self._open:
            self._open = False
            self._cv2.destroyWindow(self._title)


def _prepare(path, folder):
    """``path`` (a file, or a folder with ``folder``) proved writable, its folder created."""
    check_writable(path, "the output", folder=folder)
    directory = path if folder else os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        os.makedirs(directory)
    return path


class VideoFileSink(Sink):
    """A video of the overlays at ``size`` (H, W), or at the first frame's size if None.

    Written as ``NAME.part.EXT`` and renamed to ``path`` when closed (also on Ctrl-C and
    SIGTERM), so a file at ``path`` is always complete. ``.mp4`` and ``.mkv`` are H.264 where
    an encoder exists (``runtime.video.video_writers``): fragmented MP4 and Matroska, which a hard
    kill leaves playable up to about one second before it; ``.avi`` is MJPG. A crash-safe
    file is fsynced every ``sync_every`` seconds, which bounds what a power loss takes.
    Frames of another size are resized (a VideoWriter silently drops them otherwise).
    """

    def __init__(self, uri, path, fps, size=None, bitrate=4000000, facts=None, sync_every=5.0):
        super(VideoFileSink, self).__init__(uri)
        root, suffix = os.path.splitext(path)
        self.path, self.fps, self.bitrate = path, float(fps or 25.0), int(bitrate)
        self._output, self._facts = VIDEO_SUFFIXES[suffix.lower()], facts
        _prepare(path, folder=False)
        self.partial = root + ".part" + suffix
        if os.path.exists(self.partial):
            logger.warning("%s: replacing %s, left by an interrupted run", uri, self.partial)
        self._writer, self.frames, self.size = None, 0, None
        self._sync_every, self.syncer = sync_every, None
        if size:
            self._open(tuple(size))

    @property
    def description(self):
        """Which encoder writes the file (None before the first frame)."""
        return self._writer.description if self._writer is not None else None

    def _open(self, size):
        from .video_writers import FileSyncer, open_video_writer
        self._writer = open_video_writer(self._output, self.partial, self.fps, size,
                                         self.bitrate, self._facts, label=self.path)
        self.size = size
        if self._sync_every and self._writer.crash_safe:
            self.syncer = FileSyncer(self.partial, self._sync_every)

    def write(self, index, overlay_bgr, classes):
        if self._writer is None:
            self._open(overlay_bgr.shape[:2])
        if overlay_bgr.shape[:2] != self.size:
            from linknet_edge.preprocessing import resize_image
            overlay_bgr = resize_image(overlay_bgr, self.size)
        self._writer.write(overlay_bgr)
        self.frames += 1

    def close(self):
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        if self.syncer is not None:
            self.syncer.stop()
        writer.close()   # a failing encoder raises here and leaves the .part file
        os.replace(self.partial, self.path)
        logger.info("wrote %d frames to %s", self.frames, self.path)


class ImageFolderSink(Sink):
    """One image per frame, named by the frame index."""

    def __init__(self, uri, directory, suffix=".jpg"):
        super(ImageFolderSink, self).__init__(uri)
        self.directory = _prepare(directory, folder=True)
        self._suffix = suffix

    def _save(self, index, image):
        import cv2
        path = os.path.join(self.directory, "{:06d}{}".format(index, self._suffix))
        if not cv2.imwrite(path, image):
            raise SinkError("{}: cannot write {}".format(self.uri, path))

    def write(self, index, overlay_bgr, classes):
        self._save(index, overlay_bgr)


class MaskFolderSink(ImageFolderSink):
    """Class-index PNG masks at frame size (pixel value = class index)."""

    needs_overlay = False

    def __init__(self, uri, directory, num_classes=256):
        super(MaskFolderSink, self).__init__(uri, directory, ".png")
        self._dtype = np.uint8 if num_classes <= 256 else np.uint16

    def write(self, index, overlay_bgr, classes):
        self._save(index, classes.astype(self._dtype))


class MjpegSink(Sink):
    def __init__(self, uri, host, port, title="linknet-edge"):
        super(MjpegSink, self).__init__(uri)
        from .mjpeg import MjpegServer
        try:
            self.server = MjpegServer(host, port, title=title).start()
        except OSError as exc:
            raise SinkError("{}: cannot listen on {}:{} ({})".format(
                uri, host, port, exc.strerror or exc))

    def write(self, index, overlay_bgr, classes):
        self.server.publish(overlay_bgr)

    def close(self):
        self.server.stop()


class MultiSink(Sink):
    """Several sinks as one; ``close`` closes all of them even if one fails."""

    def __init__(self, sinks):
        super(MultiSink, self).__init__(",".join(s.uri for s in sinks))
        self.sinks = list(sinks)
        self.needs_overlay = any(s.needs_overlay for s in self.sinks)

    @property
    def stop_requested(self):
        return any(s.stop_requested for s in self.sinks)

    def write(self, index, overlay_bgr, classes):
        for sink in self.sinks:
            sink.write(index, overlay_bgr, classes)

    def close(self):
        error = None
        for sink in self.sinks:
            try:
                sink.close()
            except Exception as exc:  # close the rest, then report the first failure
                logger.error("%s: closing failed: %s", sink.uri, exc)
                error = error or exc
        if error is not None:
            raise error


def open_sink(uri, fps=None, size=None, spec=None, host=None, bitrate=4000000, facts=None,
              **options):
    """Open one sink, or a ``MultiSink`` for a list of URIs.

    ``fps`` sets a video's rate (25 if unknown); ``size`` (H, W) a video file's frame size
    (None: the first frame's); ``host`` overrides an ``http://`` sink's bind address;
    ``bitrate`` (bits/s) is for H.264 files and streams; ``facts`` (``runtime.video.media``) replaces
    the probed codec facts of this machine.
    """
    if isinstance(uri, (list, tuple)):
        sinks = []
        try:
            for item in uri:
                sinks.append(open_sink(item, fps, size, spec, host=host, bitrate=bitrate,
                                       facts=facts, **options))
        except Exception:
            MultiSink(sinks).close()
            raise
        return MultiSink(sinks)
    text = str(uri).strip()
    scheme, _, rest = text.partition("://") if "://" in text else ("", "", text)
    scheme = scheme.lower()
    title = options.get("title", "linknet-edge")
    if text.lower() in ("none", "null") or scheme == "none":
        return NullSink(text)
    if scheme == "display":
        return DisplaySink(text, title=title)
    if scheme == "http":
        address = rest.split("/", 1)[0]
        bind, _, port = address.rpartition(":") if ":" in address else (address, "", "8080")
        if not port.isdigit() or int(port) > 65535:
            raise SinkError("{}: port {!r} is not a number from 0 to 65535; use "
                            "http://HOST:PORT".format(uri, port))
        return MjpegSink(text, host or bind or "127.0.0.1", int(port), title=title)
    if scheme in ("rtp", "udp"):
        from .streaming import StreamSink
        return StreamSink(text, fps, bitrate, facts)
    if scheme == "masks":
        return MaskFolderSink(text, rest, spec.num_classes if spec is not None else 256)
    if scheme == "dir":
        return ImageFolderSink(text, rest)
    if scheme not in ("", "file"):
        raise SinkError("{}: unknown output scheme {!r}; use a video file, a folder/, dir://, "
                        "masks://, http://HOST:PORT, rtp://HOST:PORT, udp://HOST:PORT, "
                        "display://0 or none".format(uri, scheme))
    path = os.path.expanduser(rest)
    if path.endswith(("/", os.sep)) or os.path.isdir(path):
        return ImageFolderSink(text, path)
    if os.path.splitext(path)[1].lower() in VIDEO_SUFFIXES:
        return VideoFileSink(text, path, fps, size, bitrate, facts)
    raise SinkError("{}: unknown output type; use a path ending in {}, a folder ending in '/', "
                    "masks://DIR, http://HOST:PORT, display://0 or none".format(
                        uri, "/".join(sorted(VIDEO_SUFFIXES))))

"""Outputs named by URI. Each sink gets ``write(index, overlay_bgr, classes)`` per frame.

- ``display://0``: an OpenCV window (only where a display exists; ``q`` or Esc stops the run)
- ``out.mp4``, ``out.avi``, ``file:///abs/out.mp4``: a video of the overlays. ``.avi`` is MJPG
  written in place (readable even if the process is killed); ``.mp4`` is written to
  ``NAME.part.mp4`` and renamed when closed, which also happens on Ctrl-C and SIGTERM
- ``overlays/`` or ``dir://DIR``: one ``000000.jpg`` overlay image per frame
- ``masks://DIR``: one ``000000.png`` class-index mask per frame (8-bit, 16-bit past 255 classes)
- ``http://HOST:PORT``: an MJPEG stream with a page at ``/`` (see ``runtime.mjpeg``); bound to
  127.0.0.1 unless the URI or ``host=`` says otherwise
- ``none``: discard (for measuring)

``classes`` is the (H, W) int32 class map at frame size; ``overlay_bgr`` is None for sinks
that do not need it (``needs_overlay`` False).
"""

import logging
import os

import numpy as np

from linknet_edge.errors import SinkError

__all__ = ["Sink", "NullSink", "DisplaySink", "VideoFileSink", "ImageFolderSink",
           "MaskFolderSink", "MjpegSink", "MultiSink", "open_sink", "VIDEO_SUFFIXES"]

logger = logging.getLogger(__name__)

#: suffix -> FourCC. MJPG in AVI survives interruption; mp4v is what every OpenCV build writes.
VIDEO_SUFFIXES = {".avi": "MJPG", ".mp4": "mp4v", ".mkv": "MJPG"}


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


def _prepare_dir(uri, directory):
    try:
        if not os.path.isdir(directory):
            os.makedirs(directory)
    except OSError as exc:
        raise SinkError("{}: cannot create folder {} ({})".format(uri, directory, exc.strerror))
    if not os.access(directory, os.W_OK):
        raise SinkError("{}: folder {} is not writable".format(uri, directory))
    return directory


class VideoFileSink(Sink):
    """A video of the overlays at ``size`` (H, W), or at the first frame's size if None.

    Frames of another size are resized (a VideoWriter silently drops them otherwise).
    """

    def __init__(self, uri, path, fps, size=None):
        super(VideoFileSink, self).__init__(uri)
        suffix = os.path.splitext(path)[1].lower()
        self.path, self.fps = path, float(fps or 25.0)
        self._fourcc = VIDEO_SUFFIXES[suffix]
        _prepare_dir(uri, os.path.dirname(os.path.abspath(path)))
        # mp4 is unreadable until its index is written at close: write aside, rename at close.
        self._target = path if suffix != ".mp4" else path[:-len(suffix)] + ".part" + suffix
        self._writer, self.frames, self.size = None, 0, None
        if size:
            self._open(tuple(size))

    def _open(self, size):
        import cv2
        self._writer = cv2.VideoWriter(self._target, cv2.VideoWriter_fourcc(*self._fourcc),
                                       self.fps, (size[1], size[0]))
        if not self._writer.isOpened():
            self._writer = None
            raise SinkError("{}: OpenCV cannot write {} video here".format(
                self.path, self._fourcc))
        self.size = size

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
        writer.release()
        if self._target != self.path:
            os.replace(self._target, self.path)
        logger.info("wrote %d frames to %s", self.frames, self.path)


class ImageFolderSink(Sink):
    """One image per frame, named by the frame index."""

    def __init__(self, uri, directory, suffix=".jpg"):
        super(ImageFolderSink, self).__init__(uri)
        self.directory = _prepare_dir(uri, directory)
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


def open_sink(uri, fps=None, size=None, spec=None, host=None, **options):
    """Open one sink, or a ``MultiSink`` for a list of URIs.

    ``fps`` sets a video file's rate (25 if unknown); ``size`` (H, W) a video file's frame size
    (None: the first frame's); ``host`` overrides an ``http://`` sink's bind address.
    """
    if isinstance(uri, (list, tuple)):
        sinks = []
        try:
            for item in uri:
                sinks.append(open_sink(item, fps, size, spec, host=host, **options))
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
        if not port.isdigit():
            raise SinkError("{}: port {!r} is not a number; use http://HOST:PORT".format(uri, port))
        return MjpegSink(text, host or bind or "127.0.0.1", int(port), title=title)
    if scheme == "masks":
        return MaskFolderSink(text, rest, spec.num_classes if spec is not None else 256)
    if scheme == "dir":
        return ImageFolderSink(text, rest)
    if scheme not in ("", "file"):
        raise SinkError("{}: unknown output scheme {!r}; use a video file, a folder/, dir://, "
                        "masks://, http://HOST:PORT, display://0 or none".format(uri, scheme))
    path = os.path.expanduser(rest)
    if path.endswith(("/", os.sep)) or os.path.isdir(path):
        return ImageFolderSink(text, path)
    if os.path.splitext(path)[1].lower() in VIDEO_SUFFIXES:
        return VideoFileSink(text, path, fps, size)
    raise SinkError("{}: unknown output type; use a path ending in {}, a folder ending in '/', "
                    "masks://DIR, http://HOST:PORT, display://0 or none".format(
                        uri, "/".join(sorted(VIDEO_SUFFIXES))))

"""Frames from ``cv2.VideoCapture``: files, cameras, GStreamer pipelines and stream URLs."""

import logging
import time

from linknet_edge.errors import SourceError

from .frames import FrameSource

__all__ = ["VideoSource"]

logger = logging.getLogger(__name__)

_MAX_BACKOFF = 8.0


class VideoSource(FrameSource):
    """A ``cv2.VideoCapture`` on the first of ``targets`` (``runtime.video.decoding.CaptureTarget``)
    that opens and delivers a frame: a file, a camera, a GStreamer pipeline or a stream URL.

    ``capture_label`` names what opened it; ``fallback_reason`` says why that is not the first
    choice (None if it is); ``ended_early`` is set when reading stops before the end.
    """

    def __init__(self, uri, targets, live=False, loop=False, retries=5, backoff=0.5,
                 size=(None, None), file=None):
        super(VideoSource, self).__init__(uri, loop=loop)
        self.is_live = bool(live)
        self._size, self._retries, self._backoff = size, int(retries), float(backoff)
        self.ended_early = None
        self._target, self._capture, frame = self._open_first(list(targets))
        self.capture_label = self._target.label
        self._pending = frame
        self._pass_frames = self._attempt = 0
        import cv2
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if fps and 0 < fps < 1000 else None
        self.frame_count = None if live else _frame_count(self._capture, file)

    def _open_first(self, targets):
        failures = []
        for target in targets:
            try:
                capture = self._open(target)
            except SourceError as exc:
                failures.append("{} did not open".format(target.label))
                last = exc
                continue
            ok, frame = capture.read()
            if ok and frame is not None:
                self.fallback_reason = "; ".join(failures + ([target.why] if target.why
                                                              else [])) or None
                if failures:
                    logger.warning("%s: %s; using %s", self.uri, "; ".join(failures),
                                   target.label)
                elif target.why:
                    logger.info("%s: using %s (%s)", self.uri, target.label, target.why)
                return target, capture, frame
            capture.release()
            failures.append("{} gave no frame".format(target.label))
            last = SourceError("{}: opened but no frame could be read ({})".format(
                self.uri, "stream gave nothing" if self.is_live
                else "corrupt, empty or unsupported codec"))
        if len(targets) > 1:
            raise SourceError("{} ({})".format(last, "; ".join(failures)))
        raise last

    def _open(self, target):
        import cv2
        api = {"gstreamer": cv2.CAP_GSTREAMER, "ffmpeg": cv2.CAP_FFMPEG,
               "v4l2": cv2.CAP_V4L2}.get(target.api)
        capture = (cv2.VideoCapture(target.target) if api is None
                   else cv2.VideoCapture(target.target, api))
        if not capture.isOpened():
            capture.release()
            raise SourceError("{}: cannot open ({})".format(
                self.uri, "not a video OpenCV can decode" if not self.is_live
                else "device busy, stream down or pipeline refused"))
        if target.api == "gstreamer":
            # the pipeline's appsink already keeps one buffer; OpenCV restarts a GStreamer
            # pipeline on set(), which an rtspsrc ! decodebin chain does not survive
            return capture
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
                if not self._reconnect():
                    return None, None
                continue
            self._check_length()
            if self.loop and self._pass_frames:
                logger.debug("%s: end of file, looping", self.uri)
                self._capture.release()
                self._capture, self._pass_frames = self._open(self._target), 0
            else:
                return None, None
        return None, None

    def _check_length(self):
        """A file whose reads fail before its known frame count ends early: say so once."""
        expected, read = self.frame_count, self._pass_frames
        if expected and expected - read > max(1, expected // 100) and not self.ended_early:
            self.ended_early = ("read {} of {} frames: the file ends early (truncated or "
                                "damaged)".format(read, expected))
            logger.warning("%s: %s", self.uri, self.ended_early)

    def _reconnect(self):
        """Reopen a dropped live source; False (and ``ended_early`` set) once it is lost."""
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
                self._capture = self._open(self._target)
            except SourceError:
                continue
            logger.info("%s: reconnected", self.uri)
            return True
        if not self._closed:
            self.ended_early = "stream lost: {} reconnect attempts failed".format(self._retries)
            logger.error("%s: %s", self.uri, self.ended_early)
        return False

    def close(self):
        super(VideoSource, self).close()
        if self._capture is not None:
            self._capture.release()
            self._capture = None


def _frame_count(capture, path):
    """The frame count the container declares, from ``capture`` or, when that cannot tell (a
    GStreamer pipeline), from OpenCV's own reader of ``path``; None if unknown."""
    import cv2
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    if count <= 0 and path:
        probe = cv2.VideoCapture(path)
        count = int(probe.get(cv2.CAP_PROP_FRAME_COUNT) or 0) if probe.isOpened() else 0
        probe.release()
    return count if count > 0 else None

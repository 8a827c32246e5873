"""The frame-source contract: an iterator of ``(index, frame_bgr, timestamp)``."""

import time

__all__ = ["FrameSource"]


class FrameSource(object):
    """Iterator of ``(index, frame_bgr, timestamp)``; ``index`` counts every frame yielded."""

    is_live = False
    fps = None
    frame_count = None
    #: why the source stopped before its end (a short file, a lost stream), else None
    ended_early = None
    #: why the source is not read the preferred way (e.g. FFmpeg instead of GStreamer)
    fallback_reason = None

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

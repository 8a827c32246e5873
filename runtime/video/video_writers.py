"""One H.264 (or fallback) video writer for a file or a network stream, chosen per machine.

``open_video_writer`` tries the encoders of ``runtime.video.media.h264_encoders`` in order (a Jetson's
GStreamer hardware encoder, an ffmpeg subprocess with libx264, GStreamer's x264enc) and, for
files, falls back to OpenCV's own writer; the choice, and why a better one was passed over, is
logged once per output. Every writer takes (H, W, 3) uint8 BGR frames of its ``size``.
"""

import logging
import os
import threading

from linknet_edge.errors import SinkError

from .ffmpeg import FfmpegWriter
from .gstreamer import encoder_pipeline
from .media import h264_encoders, probe_media_facts

__all__ = ["open_video_writer", "OpenCvWriter", "FileSyncer", "FALLBACK_FOURCC"]

logger = logging.getLogger(__name__)

#: output -> OpenCV FourCC where no H.264 encoder exists (files only)
FALLBACK_FOURCC = {"mp4": "mp4v", "mkv": "MJPG", "avi": "MJPG"}


class OpenCvWriter(object):
    """``cv2.VideoWriter`` on a file (FourCC) or on a GStreamer appsrc pipeline."""

    def __init__(self, target, fps, size, fourcc=None, label=None):
        import cv2
        self.size, self.label = tuple(size), label or target
        height, width = self.size
        if fourcc is None:
            self._writer = cv2.VideoWriter(target, cv2.CAP_GSTREAMER, 0, float(fps),
                                           (width, height))
        else:
            self._writer = cv2.VideoWriter(target, cv2.VideoWriter_fourcc(*fourcc),
                                           float(fps), (width, height))
        if not self._writer.isOpened():
            self._writer = None
            raise SinkError("{}: OpenCV cannot open this writer".format(self.label))

    def write(self, frame_bgr):
        self._writer.write(frame_bgr)

    def close(self):
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.release()


def open_video_writer(output, location, fps, size, bitrate=4000000, facts=None, label=None):
    """A writer of (H, W) ``size`` frames to ``output`` at ``location``.

    ``output``: mp4, mkv, avi (``location`` a path) or rtp, mpegts (``location`` a (host, port)
    pair). Returns the writer; its ``description`` says which encoder took it and
    ``crash_safe`` whether its file survives a kill. Raises ``SinkError`` when nothing here can
    write ``output`` (an H.264 stream without ffmpeg or a GStreamer encoder).
    """
    facts = facts or probe_media_facts()
    label = label or str(location)
    passed = []
    candidates = [] if output == "avi" else h264_encoders(facts)
    for backend, element in candidates:
        try:
            if backend == "ffmpeg":
                writer = FfmpegWriter(facts.ffmpeg_h264, size, fps, output, location, bitrate,
                                      label)
            else:
                writer = OpenCvWriter(encoder_pipeline(element, output, location, fps,
                                                       bitrate), fps, size, label=label)
        except (SinkError, ValueError) as exc:   # ValueError: a path GStreamer cannot take
            passed.append("{} failed ({})".format(element, exc))
            continue
        hardware = element.startswith(("nv", "omx"))
        writer.description = "H.264 by {} ({}, {})".format(
            element, "hardware" if hardware else "software",
            "GStreamer" if backend == "gstreamer" else "ffmpeg subprocess")
        writer.crash_safe = True   # fragmented MP4, Matroska clusters; streams keep nothing
        _log_choice(label, writer.description, passed)
        return writer
    if output not in FALLBACK_FOURCC:
        raise SinkError("{}: an H.264 stream needs ffmpeg with libx264 or OpenCV with a "
                        "GStreamer H.264 encoder; this machine has neither{}".format(
                            label, "" if not passed else " that works: " + "; ".join(passed)))
    fourcc = FALLBACK_FOURCC[output]
    writer = OpenCvWriter(location, fps, size, fourcc=fourcc, label=label)
    writer.description = "{} by OpenCV{}".format(
        fourcc, "" if output == "avi" else " (no H.264 encoder here: install ffmpeg)")
    writer.crash_safe = output != "mp4"
    _log_choice(label, writer.description, passed, warn=output != "avi")
    return writer


def _log_choice(label, description, passed, warn=False):
    for reason in passed:
        logger.warning("%s: %s; trying the next encoder", label, reason)
    (logger.warning if warn else logger.info)("%s: %s", label, description)


class FileSyncer(object):
    """``fsync`` a file every ``every`` seconds from a daemon thread, so what the writer (or
    its encoder subprocess: fsync works on the file, not on a descriptor) has handed to the
    kernel reaches the disk: after a power loss the file holds all but the last ``every``
    seconds plus the unfinished fragment, instead of whatever the page cache had written back
    (up to 30 s by Linux's default). ``synced`` counts the fsyncs done."""

    def __init__(self, path, every=5.0):
        self.path, self.every, self.synced = path, float(every), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fsync " + path)
        self._thread.daemon = True
        self._thread.start()

    def _run(self):
        while not self._stop.wait(self.every):
            try:
                descriptor = os.open(self.path, os.O_RDONLY)
            except OSError:
                continue   # an encoder subprocess may not have created it yet
            try:
                os.fsync(descriptor)
                self.synced += 1
            except OSError as exc:
                logger.debug("%s: fsync failed: %s", self.path, exc)
            finally:
                os.close(descriptor)

    def stop(self):
        self._stop.set()
        self._thread.join(5.0)

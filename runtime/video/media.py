"""Which video decoder and H.264 encoder this machine has, and which one each chain uses.

Every choice is a pure function of a ``MediaFacts`` (the L4T release, the board, whether OpenCV
has GStreamer, which GStreamer elements exist, whether ``ffmpeg`` has libx264), so the Jetson
decisions are tested on any machine with injected facts; ``probe_media_facts()`` reads the real
ones once. Order of preference for H.264 out:

1. GStreamer hardware encoder on L4T (``nvv4l2h264enc``; ``omxh264enc`` where only that
   exists, as on some JetPack 4 images), when OpenCV has GStreamer. Orin Nano has no NVENC.
2. an ``ffmpeg`` subprocess with libx264 (raw BGR frames on its stdin);
3. GStreamer ``x264enc`` when OpenCV has GStreamer;
4. for files only: OpenCV's own writer (mp4v in .mp4, MJPG in .mkv), which browsers don't play
   and which, for .mp4, is unreadable until closed.
"""

import logging
import shutil
import subprocess

from .gstreamer import gst_element_available

__all__ = ["MediaFacts", "probe_media_facts", "hardware_decoder", "h264_encoders",
           "has_nvenc"]

logger = logging.getLogger(__name__)


class MediaFacts(object):
    """The facts behind every codec decision.

    Args:
        l4t: the L4T release (``"R32.7.1"``) or None off a Jetson.
        board: the Jetson board name (``/proc/device-tree/model``) or None.
        opencv_gstreamer: OpenCV was built with GStreamer.
        ffmpeg_h264: path of an ``ffmpeg`` binary that has libx264, or None.
        elements: names of the GStreamer elements present; None asks ``gst-inspect-1.0``.
    """

    def __init__(self, l4t=None, board=None, opencv_gstreamer=False, ffmpeg_h264=None,
                 elements=None):
        self.l4t, self.board = l4t, board
        self.opencv_gstreamer, self.ffmpeg_h264 = bool(opencv_gstreamer), ffmpeg_h264
        self._elements = None if elements is None else frozenset(elements)

    def has(self, element):
        """True if the GStreamer element ``element`` exists here."""
        if self._elements is not None:
            return element in self._elements
        return gst_element_available(element)

    def __repr__(self):
        return ("MediaFacts(l4t={!r}, board={!r}, opencv_gstreamer={}, ffmpeg_h264={!r})"
                .format(self.l4t, self.board, self.opencv_gstreamer, self.ffmpeg_h264))


_FACTS = []


def probe_media_facts():
    """This machine's ``MediaFacts`` (probed once; elements are asked lazily)."""
    if not _FACTS:
        from ..environment import jetson_model, read_l4t_release
        from .gstreamer import opencv_has_gstreamer
        l4t = read_l4t_release()
        _FACTS.append(MediaFacts(l4t=l4t, board=jetson_model() if l4t else None,
                                 opencv_gstreamer=opencv_has_gstreamer(),
                                 ffmpeg_h264=_ffmpeg_with_libx264()))
        logger.debug("media facts: %r", _FACTS[0])
    return _FACTS[0]


def _ffmpeg_with_libx264():
    path = shutil.which("ffmpeg")
    if not path:
        return None
    try:
        listing = subprocess.check_output([path, "-hide_banner", "-encoders"],
                                          stderr=subprocess.DEVNULL, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return path if b" libx264 " in listing else None


def hardware_decoder(codec, facts):
    """The Jetson decoder element for ``codec`` (h264/h265), or None (decode in software).

    ``nvv4l2decoder`` where it exists (JetPack 4.2 onward), else ``omxh264dec``/``omxh265dec``.
    A hardware decoder needs OpenCV with GStreamer to reach the frames.
    """
    if facts.l4t is None or not facts.opencv_gstreamer or codec not in ("h264", "h265"):
        return None
    for element in ("nvv4l2decoder", "omx{}dec".format(codec)):
        if facts.has(element):
            return element
    return None


def has_nvenc(board):
    """False for boards without a video encoder (Orin Nano), True otherwise."""
    return "orin nano" not in (board or "").lower()


def h264_encoders(facts):
    """``[(backend, element), ...]`` to try in order for H.264 out: backend ``gstreamer`` (an
    encoder element inside an OpenCV appsrc pipeline) or ``ffmpeg`` (the libx264 binary)."""
    choices = []
    if facts.opencv_gstreamer and facts.l4t is not None and has_nvenc(facts.board):
        for element in ("nvv4l2h264enc", "omxh264enc"):
            if facts.has(element):
                choices.append(("gstreamer", element))
                break
    if facts.ffmpeg_h264:
        choices.append(("ffmpeg", "libx264"))
    if facts.opencv_gstreamer and facts.has("x264enc"):
        choices.append(("gstreamer", "x264enc"))
    return choices

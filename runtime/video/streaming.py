"""H.264 network outputs: RTP over UDP (with an SDP file for the player) and MPEG-TS over UDP.

- ``rtp://HOST:PORT``: RTP/H.264 (payload type 96) sent to HOST:PORT; an SDP file describing
  it is written to ``sdp=PATH`` (default ``rtp-HOST-PORT.sdp`` in the working folder). Play it
  with ``ffplay -protocol_whitelist file,udp,rtp rtp-127.0.0.1-5000.sdp`` or VLC.
- ``udp://HOST:PORT``: MPEG-TS over UDP; play with ``ffplay udp://127.0.0.1:5000`` (VLC:
  ``udp://@:5000``). No SDP needed.

HOST is where the player is (a unicast or multicast address), 127.0.0.1 unless given. Encoded
by a Jetson's hardware encoder through GStreamer where one exists, else by ffmpeg's libx264
(``runtime.video.video_writers``), at ``bitrate`` bits/s (4 Mbit/s, jetson-inference's default),
a keyframe with SPS/PPS every second so a player can join at any time.
"""

import logging

from linknet_edge.atomic import write_atomic
from linknet_edge.errors import SinkError

from .sinks import Sink

__all__ = ["StreamSink", "rtp_sdp", "parse_stream_uri"]

logger = logging.getLogger(__name__)

_OUTPUTS = {"rtp": "rtp", "udp": "mpegts"}


def parse_stream_uri(uri):
    """``(output, host, port, options)`` of ``rtp://HOST:PORT`` or ``udp://HOST:PORT``."""
    from urllib.parse import parse_qsl, urlsplit
    parts = urlsplit(str(uri).strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is None or not 0 < port < 65536:
        raise SinkError("{}: needs a port from 1 to 65535, as in {}://127.0.0.1:5000".format(
            uri, parts.scheme))
    return _OUTPUTS[parts.scheme.lower()], parts.hostname or "127.0.0.1", port, dict(
        parse_qsl(parts.query))


def rtp_sdp(host, port):
    """The SDP text a player needs for RTP/H.264 (payload 96, 90 kHz) arriving at host:port;
    SPS/PPS travel in the stream, so none are listed here."""
    family = "IP6" if ":" in host else "IP4"
    return ("v=0\r\n"
            "o=- 0 0 IN {family} {host}\r\n"
            "s=linknet-edge\r\n"
            "c=IN {family} {host}\r\n"
            "t=0 0\r\n"
            "m=video {port} RTP/AVP 96\r\n"
            "a=rtpmap:96 H264/90000\r\n"
            "a=fmtp:96 packetization-mode=1\r\n").format(family=family, host=host,
                                                         port=int(port))


class StreamSink(Sink):
    """H.264 overlays sent to a network address; opens its encoder at the first frame (whose
    size it keeps; other sizes are resized)."""

    def __init__(self, uri, fps=None, bitrate=4000000, facts=None):
        super(StreamSink, self).__init__(uri)
        self.output, self.host, self.port, options = parse_stream_uri(uri)
        self.fps, self.bitrate, self._facts = float(fps or 25.0), int(bitrate), facts
        self.sdp = None
        if self.output == "rtp":
            self.sdp = options.get("sdp") or "rtp-{}-{}.sdp".format(self.host, self.port)
            try:
                write_atomic(self.sdp, rtp_sdp(self.host, self.port))
            except (IOError, OSError) as exc:
                raise SinkError("{}: cannot write the SDP file {} ({})".format(
                    uri, self.sdp, exc.strerror or exc))
            logger.info("%s: SDP for players in %s (ffplay -protocol_whitelist file,udp,rtp "
                        "%s)", uri, self.sdp, self.sdp)
        self._writer, self.size, self.frames = None, None, 0

    @property
    def description(self):
        return self._writer.description if self._writer is not None else None

    def write(self, index, overlay_bgr, classes):
        if self._writer is None:
            from .video_writers import open_video_writer
            self.size = overlay_bgr.shape[:2]
            self._writer = open_video_writer(self.output, (self.host, self.port), self.fps,
                                             self.size, self.bitrate, self._facts,
                                             label=self.uri)
        if overlay_bgr.shape[:2] != self.size:
            from linknet_edge.preprocessing import resize_image
            overlay_bgr = resize_image(overlay_bgr, self.size)
        self._writer.write(overlay_bgr)
        self.frames += 1

    def close(self):
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()
            logger.info("%s: sent %d frames", self.uri, self.frames)

"""H.264 by an ``ffmpeg`` subprocess: raw BGR frames go to its stdin, libx264 encodes them.

Used where no hardware encoder exists (x86, Orin Nano, a JetPack without NVENC) and OpenCV
itself cannot write H.264 (pip OpenCV writes mp4v only). ffmpeg runs in its own session, so a
terminal's Ctrl-C reaches only us and we close its stdin after the last frame; if we are killed,
ffmpeg sees end of input and finishes the file itself.
"""

import logging
import subprocess
import tempfile

import numpy as np

from linknet_edge.errors import SinkError, first_line

__all__ = ["ffmpeg_command", "FfmpegWriter"]

logger = logging.getLogger(__name__)

#: ffmpeg's exit status after SIGINT/SIGTERM, once it has written the file's trailer
_SIGNALLED = 255

#: output -> ffmpeg muxer and its options. mp4 is fragmented at every keyframe (one a second),
#: so a killed writer leaves a playable file; Matroska closes a cluster every second.
_MUXERS = {
    "mp4": ["-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-f", "mp4"],
    "mkv": ["-cluster_time_limit", "1000", "-f", "matroska"],
    "rtp": ["-f", "rtp"],
    "mpegts": ["-f", "mpegts"],
}


def ffmpeg_command(ffmpeg, size, fps, output, location, bitrate=4000000):
    """The argv of an ffmpeg that reads (H, W) ``size`` BGR frames at ``fps`` from stdin and
    writes H.264 at ``bitrate`` bits/s to ``output`` (mp4, mkv: a path; rtp, mpegts: a
    (host, port) pair, sent over UDP)."""
    height, width = size
    gop = str(max(1, int(round(fps))))
    if output in ("rtp", "mpegts"):
        host, port = location
        target = "{}://{}:{}".format("rtp" if output == "rtp" else "udp", host, int(port))
        target += "?pkt_size=1316" if output == "mpegts" else ""
    else:
        target = location
    rate = str(int(bitrate))
    # zerolatency: no B-frames or lookahead, so every frame leaves the encoder at once and a
    # fragment on disk is at most one GOP behind; SPS/PPS repeat at each keyframe so a stream
    # client can join at any keyframe.
    return ([ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
             "-f", "rawvideo", "-pix_fmt", "bgr24", "-video_size", "{}x{}".format(width, height),
             "-framerate", "{:g}".format(fps), "-i", "pipe:0", "-an",
             "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
             "-pix_fmt", "yuv420p", "-g", gop, "-b:v", rate, "-maxrate", rate,
             "-bufsize", str(2 * int(bitrate)), "-x264-params", "repeat-headers=1",
             "-flush_packets", "1"] + _MUXERS[output] + [target])


class FfmpegWriter(object):
    """Writes (H, W) ``size`` BGR uint8 frames through ffmpeg; ``write`` blocks while ffmpeg
    is behind (the pipe holds less than one frame)."""

    def __init__(self, ffmpeg, size, fps, output, location, bitrate=4000000, label=None):
        self.size, self.label = tuple(size), label or str(location)
        self.signalled = False
        self.command = ffmpeg_command(ffmpeg, size, fps, output, location, bitrate)
        logger.debug("%s: %s", self.label, " ".join(self.command))
        self._log = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen(self.command, stdin=subprocess.PIPE,
                                             stdout=subprocess.DEVNULL, stderr=self._log,
                                             start_new_session=True)
        except OSError as exc:
            self._log.close()
            raise SinkError("{}: cannot start ffmpeg ({})".format(self.label,
                                                                  exc.strerror or exc))

    @property
    def pid(self):
        return self._process.pid

    def write(self, frame_bgr):
        if self._process is None:
            raise SinkError("{}: written after close".format(self.label))
        if self.signalled:
            return
        frame = np.ascontiguousarray(frame_bgr, dtype=np.uint8)
        try:
            self._process.stdin.write(memoryview(frame).cast("B"))
        except (BrokenPipeError, ValueError):
            if self._process.wait() == _SIGNALLED:
                # ffmpeg got SIGINT/SIGTERM itself (systemd stops the whole cgroup) and has
                # finished the file: the frames still in flight are dropped, not an error
                self.signalled = True
                logger.warning("%s: ffmpeg was stopped by a signal and finished the file; "
                               "later frames are dropped", self.label)
                return
            process, self._process = self._process, None
            error = self._error(process)
            self._log.close()
            raise SinkError("{}: ffmpeg stopped ({})".format(self.label, error))

    def _error(self, process):
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").strip()
        return first_line(text.splitlines()[-1]) if text else "exit status {}".format(
            process.returncode)

    def close(self, timeout=60):
        """Finish the output (ffmpeg writes its last fragment and index); raises ``SinkError``
        if ffmpeg failed. Safe to call twice."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        error = self._error(process) if code not in (0, _SIGNALLED) else None
        self._log.close()
        if error:
            raise SinkError("{}: ffmpeg failed ({})".format(self.label, error))

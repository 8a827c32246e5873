"""A small MJPEG-over-HTTP server: ``/`` a page showing the stream, ``/stream`` the frames.

``/stream`` is ``multipart/x-mixed-replace`` JPEG (what browsers, VLC and OpenCV's FFmpeg read);
``/stats`` is JSON ``{"frames", "fps", "clients"}``, polled by the page for its FPS line: ``fps``
counts the frames published over the last ``fps_window`` seconds, which is what a viewer that
keeps up receives. One I/O thread serves every connection (``runtime.video._http_loop``), so a client
costs no thread and ``publish`` (the pipeline's thread) never waits for any client; every viewer
gets the newest frame whenever its socket can take one, never a backlog.

Limits, because ``--host 0.0.0.0`` makes the port reachable by anyone on the network:
``header_timeout`` (10 s) closes a connection that has not sent a complete request by then;
``max_clients`` (16) caps the connections open at once (viewers, page and ``/stats`` requests,
and not-yet-complete requests), further ones get ``503`` with ``Retry-After``; ``send_timeout``
(5 s) drops a client that has not taken a whole frame (or reply) that long after it was queued.
"""

import collections
import json
import logging
import socket
import threading
import time

from linknet_edge.errors import SinkError

from ._http_loop import HttpLoop, http_head, http_response

__all__ = ["MjpegServer"]

logger = logging.getLogger(__name__)

_BOUNDARY = "linknetedgeframe"
_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>body{{background:#111;color:#eee;font-family:sans-serif;margin:1em}}
img{{max-width:100%;border:1px solid #444}}</style></head>
<body><h1>{title}</h1>
<p id="fps">FPS: waiting for frames</p>
<img id="stream" src="/stream" alt="live segmentation">
<script>
function poll() {{
  fetch("/stats").then(function (r) {{
    if (r.status === 503) {{ throw "busy"; }}
    return r.json();
  }}).then(function (s) {{
    window.linknetStats = s;
    document.getElementById("fps").textContent =
      "FPS: " + s.fps.toFixed(1) + " | frames: " + s.frames + " | viewers: " + s.clients;
  }}).catch(function (e) {{
    document.getElementById("fps").textContent =
      e === "busy" ? "FPS: server busy (too many clients)" : "FPS: stream stopped";
  }});
}}
setInterval(poll, 1000); poll();
</script></body></html>
"""


class MjpegServer(object):
    """Serve the latest published frame to every connected client.

    ``port=0`` picks a free port; ``url`` tells which. ``start()`` binds and serves in a daemon
    thread, ``publish(frame_bgr)`` JPEG-encodes a frame, ``stop()`` closes (safe twice).
    ``counters`` (``accepted``, ``refused``, ``header_timeouts``, ``send_timeouts``) count
    connections since start. ``clock`` is the time source of the FPS window (monotonic s).
    """

    def __init__(self, host="127.0.0.1", port=8080, quality=80, title="linknet-edge",
                 header_timeout=10.0, max_clients=16, send_timeout=5.0, fps_window=3.0,
                 clock=time.monotonic):
        for name, value in (("header_timeout", header_timeout), ("send_timeout", send_timeout),
                            ("fps_window", fps_window), ("max_clients", max_clients)):
            if not value > 0:
                raise SinkError("MJPEG server: {} must be > 0 (got {!r})".format(name, value))
        self.host, self.port, self.quality = host, int(port), int(quality)
        self.header_timeout, self.send_timeout = float(header_timeout), float(send_timeout)
        self.max_clients, self.fps_window, self._clock = int(max_clients), fps_window, clock
        self.page = _PAGE.format(title=title).encode("utf-8")
        self.stopped = False
        self._lock = threading.Lock()
        self._frames, self._latest, self._times = 0, (0, None), collections.deque()
        self._loop = None

    @property
    def url(self):
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return "http://{}:{}/".format(host, self.port)

    @property
    def counters(self):
        return dict(self._loop.counters) if self._loop is not None else {}

    def start(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(128)
        except OSError:
            listener.close()
            raise
        self.port = listener.getsockname()[1]
        self._loop = HttpLoop(listener, self._respond, self._newest, self.header_timeout,
                              self.max_clients, self.send_timeout)
        logger.info("MJPEG stream at %s (bound to %s; at most %d clients)", self.url,
                    self.host or "all interfaces", self.max_clients)
        return self

    def publish(self, frame_bgr):
        """Make ``frame_bgr`` (HWC uint8 BGR) the frame every viewer gets next (JPEG-encoded
        only while someone watches: encoding costs ~10 ms a frame on a Jetson's CPU)."""
        part = None
        if self._loop is not None and self._loop.viewers:
            import cv2
            ok, encoded = cv2.imencode(".jpg", frame_bgr, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
            if ok:
                jpeg = encoded.tobytes()
                # Built once here and shared by every viewer: no per-client copy.
                part = b"".join([
                    "--{}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n".format(
                        _BOUNDARY, len(jpeg)).encode("ascii"), jpeg, b"\r\n"])
        now = self._clock()
        with self._lock:
            self._frames += 1
            self._latest = (self._frames, part)
            self._times.append(now)
            self._trim(now)
        if part is not None:
            self._loop.wake()

    def stats(self):
        """``{"frames": published, "fps": over the window, "clients": viewers}``."""
        now = self._clock()
        with self._lock:
            self._trim(now)
            count, oldest = len(self._times), self._times[0] if self._times else now
            frames = self._frames
        # (count - 1) intervals since the oldest frame in the window: for a steady rate exact
        # when read at a publish, less by at most one interval otherwise; 0 once publishing stops.
        fps = (count - 1) / (now - oldest) if count > 1 and now > oldest else 0.0
        return {"frames": frames, "fps": round(fps, 2),
                "clients": self._loop.viewers if self._loop is not None else 0}

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        if self._loop is not None:
            self._loop.stop()

    def _trim(self, now):
        while self._times and self._times[0] <= now - self.fps_window:
            self._times.popleft()

    def _newest(self):
        with self._lock:
            return self._latest

    def _respond(self, path):
        if path == "/stream":
            return http_head(200, [("Content-Type",
                                    "multipart/x-mixed-replace; boundary=" + _BOUNDARY)]), True
        if path == "/":
            return http_response(200, "text/html; charset=utf-8", self.page), False
        if path == "/stats":
            return http_response(200, "application/json", json.dumps(self.stats()).encode()), False
        return http_response(404, "text/plain", b"not found: try / or /stream\n"), False

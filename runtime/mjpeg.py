"""A small MJPEG-over-HTTP server: ``/`` a page showing the stream, ``/stream`` the frames.

``/stream`` is ``multipart/x-mixed-replace`` JPEG (what browsers, VLC and OpenCV's FFmpeg read);
``/stats`` is JSON ``{"frames", "fps", "clients"}``, polled by the page for its FPS line. Stdlib
``http.server`` with one thread per client; every client gets the newest frame, never a backlog.
"""

import json
import logging
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

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
  fetch("/stats").then(function (r) {{ return r.json(); }}).then(function (s) {{
    window.linknetStats = s;
    document.getElementById("fps").textContent =
      "FPS: " + s.fps.toFixed(1) + " | frames: " + s.frames + " | viewers: " + s.clients;
  }}).catch(function () {{
    document.getElementById("fps").textContent = "FPS: stream stopped";
  }});
}}
setInterval(poll, 1000); poll();
</script></body></html>
"""


class _Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(BaseHTTPRequestHandler):
    server_version = "linknet-edge-mjpeg"

    def log_message(self, fmt, *args):
        logger.debug("%s %s", self.address_string(), fmt % args)

    def do_GET(self):
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        if path == "/":
            self._send(200, "text/html; charset=utf-8", owner.page.encode("utf-8"))
        elif path == "/stats":
            self._send(200, "application/json", json.dumps(owner.stats()).encode("utf-8"))
        elif path == "/stream":
            self._stream(owner)
        else:
            self._send(404, "text/plain", b"not found: try / or /stream\n")

    def _send(self, code, content_type, body):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, owner):
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=" + _BOUNDARY)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        owner.add_client(1)
        seen = -1
        try:
            while not owner.stopped:
                jpeg, number = owner.wait_frame(seen, timeout=0.5)
                if jpeg is None:
                    continue
                seen = number
                self.wfile.write("--{}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n"
                                 .format(_BOUNDARY, len(jpeg)).encode("ascii"))
                self.wfile.write(jpeg)
                self.wfile.write(b"\r\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            owner.add_client(-1)


class MjpegServer(object):
    """Serve the latest published frame to every connected client.

    ``port=0`` picks a free port; ``url`` tells which. ``start()`` binds and serves in a daemon
    thread, ``publish(frame_bgr)`` JPEG-encodes a frame, ``stop()`` closes (safe twice).
    """

    def __init__(self, host="127.0.0.1", port=8080, quality=80, title="linknet-edge"):
        self.host, self.port, self.quality = host, int(port), int(quality)
        self.page = _PAGE.format(title=title)
        self.stopped = False
        self._condition = threading.Condition()
        self._jpeg, self._frames, self._clients = None, 0, 0
        self._fps, self._last = 0.0, None
        self._server = self._thread = None

    @property
    def url(self):
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return "http://{}:{}/".format(host, self.port)

    def start(self):
        self._server = _Server((self.host, self.port), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="mjpeg-server",
                                        kwargs={"poll_interval": 0.2})
        self._thread.daemon = True
        self._thread.start()
        logger.info("MJPEG stream at %s (bound to %s)", self.url, self.host or "all interfaces")
        return self

    def publish(self, frame_bgr):
        """Make ``frame_bgr`` (HWC uint8 BGR) the frame every client gets next (JPEG-encoded
        only while someone watches: encoding costs ~10 ms a frame on a Jetson's CPU)."""
        import cv2
        jpeg = None
        if self._clients:
            ok, encoded = cv2.imencode(".jpg", frame_bgr,
                                       [cv2.IMWRITE_JPEG_QUALITY, self.quality])
            jpeg = encoded.tobytes() if ok else None
        now = time.time()
        with self._condition:
            if self._last is not None and now > self._last:
                rate = 1.0 / (now - self._last)
                self._fps = 0.9 * self._fps + 0.1 * rate if self._fps else rate
            self._last = now
            self._jpeg = jpeg
            self._frames += 1
            self._condition.notify_all()

    def wait_frame(self, seen, timeout=0.5):
        """``(jpeg bytes, number)`` of a frame newer than number ``seen``, or ``(None, seen)``."""
        with self._condition:
            if self._frames <= seen or self._jpeg is None:
                self._condition.wait(timeout)
            if self._frames <= seen or self._jpeg is None:
                return None, seen
            return self._jpeg, self._frames

    def add_client(self, delta):
        with self._condition:
            self._clients += delta

    def stats(self):
        with self._condition:
            return {"frames": self._frames, "fps": round(self._fps, 2), "clients": self._clients}

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        with self._condition:
            self._condition.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)

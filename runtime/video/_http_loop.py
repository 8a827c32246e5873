"""The MJPEG server's network side: one thread, non-blocking sockets, bounded by timeouts.

``HttpLoop`` accepts connections, reads one ``GET``/``HEAD`` request from each, and either sends
one response or keeps the connection as a viewer that gets the newest frame part whenever its
socket can take one (never a backlog). A client costs a socket, not a thread, and nothing a
client does can block the thread that publishes frames. Limits: ``header_timeout`` (s) to send a
complete request, ``max_clients`` connections open at once (more are answered ``503`` with
``Retry-After``), ``send_timeout`` (s) to take a whole response or frame once it is queued.
"""

import collections
import email.utils
import logging
import selectors
import socket
import struct
import threading
import time

__all__ = ["HttpLoop", "http_response", "http_head"]

logger = logging.getLogger(__name__)

_MAX_HEAD = 8192        # bytes of request line + headers; longer gets 431
_LINGER_S = 1.0         # an answered client's input is read, not reset, for this long
_RETRY_AFTER_S = 5
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
            431: "Request Header Fields Too Large", 503: "Service Unavailable"}


def http_head(code, headers):
    """The status line and headers (``[(name, value)]``) of an HTTP/1.0 response, as bytes."""
    lines = ["HTTP/1.0 {} {}".format(code, _REASONS[code]), "Server: linknet-edge-mjpeg",
             "Date: " + email.utils.formatdate(usegmt=True), "Cache-Control: no-store",
             "Connection: close"] + ["{}: {}".format(k, v) for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def http_response(code, content_type, body, extra=()):
    """A whole response: head (``Content-Type``, ``Content-Length``, ``extra``) and ``body``."""
    return http_head(code, [("Content-Type", content_type),
                            ("Content-Length", len(body))] + list(extra)) + body


class _Conn(object):
    """One connection. ``state``: ``head`` (reading the request), ``reply`` (sending one
    response), ``stream`` (a viewer) or ``linger`` (answered and shut for writing: its input is
    read until the client closes, so closing never resets an answer it has not read yet);
    ``deadline`` (monotonic s, or None) is when that state gives up."""

    __slots__ = ("sock", "state", "head", "out", "deadline", "seen", "events")

    def __init__(self, sock, state, deadline):
        self.sock, self.state, self.deadline = sock, state, deadline
        self.head, self.out, self.seen, self.events = b"", collections.deque(), 0, 0


class HttpLoop(object):
    """Serve ``listener`` (a bound, listening socket) in a daemon thread until ``stop()``.

    ``respond(path)`` gives ``(response bytes, is_stream)``; for a stream the bytes are the
    response head and the connection then gets ``latest()``'s ``(number, part bytes or None)``
    each time ``number`` grows. ``wake()`` (any thread, never blocks) says a new part is there.
    ``viewers`` counts stream connections; ``counters`` counts ``accepted``, ``refused``,
    ``header_timeouts`` and ``send_timeouts`` since start.
    """

    def __init__(self, listener, respond, latest, header_timeout, max_clients, send_timeout):
        self._listener, self._respond, self._latest = listener, respond, latest
        self.header_timeout, self.send_timeout = header_timeout, send_timeout
        self.max_clients, self.viewers, self._active = max_clients, 0, 0
        self.counters = dict.fromkeys(("accepted", "refused", "header_timeouts",
                                       "send_timeouts"), 0)
        self._busy = http_response(503, "text/plain", "busy: at most {} clients, retry in {} s\n"
                                   .format(max_clients, _RETRY_AFTER_S).encode("ascii"),
                                   [("Retry-After", _RETRY_AFTER_S)])
        self._conns, self._stopped = {}, False
        listener.setblocking(False)
        self._wake_r, self._wake_w = socket.socketpair()
        for sock in (self._wake_r, self._wake_w):
            sock.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(listener, selectors.EVENT_READ, "listen")
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._thread = threading.Thread(target=self._serve, name="mjpeg-server")
        self._thread.daemon = True
        self._thread.start()

    def wake(self):
        try:
            self._wake_w.send(b"\0")
        except OSError:   # its buffer is full (a wake is pending anyway) or it is closed
            pass

    def stop(self):
        """Close every connection and the listener; returns when the thread has ended."""
        self._stopped = True
        self.wake()
        self._thread.join(5)

    def _serve(self):
        try:
            while not self._stopped:
                now = time.monotonic()
                self._expire(now)
                deadlines = [c.deadline for c in self._conns.values() if c.deadline is not None]
                for key, mask in self._selector.select(min([0.5] + [max(0.0, d - now)
                                                                    for d in deadlines])):
                    if key.data == "listen":
                        self._accept()
                    elif key.data == "wake":
                        _drain(self._wake_r)
                    elif key.data.sock in self._conns:   # not closed earlier in this round
                        self._on_event(key.data, mask)
                self._feed()
        except Exception:   # a bug: say so, and free every socket
            logger.exception("MJPEG server stopped by an error")
        finally:
            for conn in list(self._conns.values()):
                self._close(conn)
            for sock in (self._listener, self._wake_r, self._wake_w):
                sock.close()
            self._selector.close()

    def _accept(self):
        for _ in range(64):   # then let the other sockets have a turn
            try:
                sock, _ = self._listener.accept()
            except BlockingIOError:
                return
            except OSError as exc:   # out of file descriptors: leave the rest in the backlog
                logger.warning("MJPEG server cannot accept a connection (%s)", exc)
                time.sleep(0.05)
                return
            sock.setblocking(False)
            conn = self._conns[sock] = _Conn(sock, "head",
                                             time.monotonic() + self.header_timeout)
            if self._active < self.max_clients:
                self.counters["accepted"] += 1
                self._active += 1
                self._watch(conn, selectors.EVENT_READ)
                continue
            if not self.counters["refused"]:
                logger.warning("MJPEG server full (%d clients): refusing more with 503",
                               self.max_clients)
            self.counters["refused"] += 1
            try:
                sock.send(self._busy)   # a fresh socket's buffer takes it whole
            except OSError:
                pass
            conn.state = "linger"
            self._linger(conn)

    def _linger(self, conn):
        if conn.state != "linger":
            self._active -= 1
        conn.state, conn.deadline = "linger", time.monotonic() + _LINGER_S
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        if len(self._conns) - self._active > 4 * self.max_clients:   # too many: close now
            self._close(conn)
        else:
            self._watch(conn, selectors.EVENT_READ)

    def _watch(self, conn, events):
        if not conn.events:
            self._selector.register(conn.sock, events, conn)
        elif events != conn.events:
            self._selector.modify(conn.sock, events, conn)
        conn.events = events

    def _close(self, conn, reset=False):
        if self._conns.pop(conn.sock, None) is None:
            return
        if conn.events:
            self._selector.unregister(conn.sock)
        if reset:   # a stuck reader: free the queued bytes now, not after minutes of retries
            conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.sock.close()
        if conn.state != "linger":
            self._active -= 1
        if conn.state == "stream":
            self.viewers -= 1

    def _expire(self, now):
        for conn in list(self._conns.values()):
            if conn.deadline is None or now < conn.deadline:
                continue
            if conn.state == "head":
                self.counters["header_timeouts"] += 1
                logger.debug("MJPEG client sent no complete request in %.1f s: closed",
                             self.header_timeout)
            elif conn.state != "linger":
                self.counters["send_timeouts"] += 1
                logger.info("MJPEG client took nothing for %.1f s: dropped", self.send_timeout)
            self._close(conn, reset=conn.state != "head")

    def _on_event(self, conn, mask):
        if mask & selectors.EVENT_READ:
            if conn.state == "head":
                self._read_head(conn)
            elif not _drain(conn.sock):   # a viewer or lingering client that hung up
                self._close(conn)
        if mask & selectors.EVENT_WRITE and conn.sock in self._conns:
            self._send(conn)

    def _read_head(self, conn):
        try:
            data = conn.sock.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._close(conn)
            return
        conn.head += data
        if b"\n\r\n" not in conn.head and b"\n\n" not in conn.head:
            if len(conn.head) > _MAX_HEAD:
                self._reply(conn, http_response(431, "text/plain", b"request too large\n"))
            return
        words = conn.head.split(b"\n", 1)[0].decode("latin-1").split()
        if len(words) != 3 or not words[2].startswith("HTTP/"):
            self._reply(conn, http_response(400, "text/plain", b"bad request\n"))
        elif words[0] not in ("GET", "HEAD"):
            self._reply(conn, http_response(405, "text/plain", b"GET or HEAD only\n",
                                            [("Allow", "GET, HEAD")]))
        else:
            response, is_stream = self._respond(words[1].split("?", 1)[0])
            if words[0] == "HEAD":
                self._reply(conn, response[:response.find(b"\r\n\r\n") + 4])
            elif is_stream:
                conn.state = "stream"
                self.viewers += 1
                self._reply(conn, response)
            else:
                self._reply(conn, response)

    def _reply(self, conn, response):
        if conn.state == "head":
            conn.state = "reply"
        conn.deadline = time.monotonic() + self.send_timeout
        conn.out.append(memoryview(response))
        self._send(conn)

    def _feed(self):
        """Queue the newest part for every viewer that has taken its previous one."""
        number, part = self._latest()
        if part is None:
            return
        for conn in list(self._conns.values()):
            if conn.state == "stream" and not conn.out and conn.seen < number:
                conn.seen = number
                self._reply(conn, part)

    def _send(self, conn):
        while conn.out:
            try:
                sent = conn.sock.send(conn.out[0])
            except BlockingIOError:
                break
            except OSError:   # the client went away
                self._close(conn)
                return
            if sent < len(conn.out[0]):
                conn.out[0] = conn.out[0][sent:]
                break
            conn.out.popleft()
        if conn.out:
            self._watch(conn, selectors.EVENT_READ | selectors.EVENT_WRITE)
        elif conn.state == "reply":
            self._linger(conn)
        else:   # a viewer that took everything: no deadline until the next part
            conn.deadline = None
            self._watch(conn, selectors.EVENT_READ)


def _drain(sock):
    """Read and discard up to 64 KiB (one read a turn, so a chatty client cannot hog the
    thread); False when the peer closed or the socket failed."""
    try:
        return bool(sock.recv(65536))
    except BlockingIOError:
        return True
    except OSError:
        return False

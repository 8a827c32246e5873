"""The MJPEG server under hostile and slow clients, over real sockets on 127.0.0.1.

Idle connections time out, connections beyond the cap get 503, a reader that stops reading is
dropped while good viewers keep getting frames, the server's threads do not grow with its
clients, the publisher never waits for a client, and ``/stats`` fps is frames over a window.
"""

import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

from linknet_edge.errors import SinkError
from linknet_edge.runtime.video.mjpeg import MjpegServer

PATIENCE = 60.0   # s: only bounds a hang; no assertion depends on how fast this machine is


def _until(predicate, timeout=PATIENCE):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _connect(server, request=None, rcvbuf=None):
    sock = socket.socket()
    if rcvbuf:   # before connect, so the advertised window stays small
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(PATIENCE)
    sock.connect(("127.0.0.1", server.port))
    if request:
        sock.sendall(request)
    return sock


def _read_to_close(sock):
    """Everything the server sends until it closes (a reset after its answer counts as a close)."""
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    sock.close()
    return data


def _thread_count():
    """Threads of this process as the OS sees them (the interpreter's count where no /proc)."""
    if os.path.isdir("/proc/self/task"):
        return len(os.listdir("/proc/self/task"))
    return threading.active_count()


class _Viewer(object):
    """A client that reads ``/stream`` as fast as it can and keeps every decoded frame's mean."""

    def __init__(self, server):
        self.sock = _connect(server, b"GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
        self.means, self.times, self.error = [], [], None
        self.thread = threading.Thread(target=self._read)
        self.thread.daemon = True
        self.thread.start()

    def _read(self):
        import cv2
        buffer = b""
        try:
            while True:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    return
                buffer += chunk
                while True:
                    start = buffer.find(b"--linknetedgeframe\r\n")
                    end = buffer.find(b"\r\n\r\n", start)
                    if start < 0 or end < 0:
                        break
                    headers = buffer[start:end].decode("ascii").split("\r\n")
                    length = int([h for h in headers if h.startswith("Content-Length")][0]
                                 .split(":")[1])
                    if len(buffer) < end + 4 + length:
                        break
                    jpeg = np.frombuffer(buffer[end + 4:end + 4 + length], np.uint8)
                    self.means.append(float(cv2.imdecode(jpeg, cv2.IMREAD_COLOR).mean()))
                    self.times.append(time.monotonic())
                    buffer = buffer[end + 4 + length:]
        except OSError as exc:
            self.error = exc

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)   # wakes the blocked recv; close alone does not
        except OSError:
            pass
        self.thread.join(10)
        self.sock.close()


class _Publisher(object):
    """The pipeline's side: publishes ``frame(i)`` every ``interval`` s in its own thread."""

    def __init__(self, server, frame, interval):
        self.server, self.frame, self.interval = server, frame, interval
        self.published, self.stop = 0, threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.thread.daemon = True
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            self.server.publish(self.frame(self.published))
            self.published += 1
            self.stop.wait(self.interval)

    def close(self):
        self.stop.set()
        self.thread.join(10)


def _noise(_):
    # Incompressible: ~0.3 MB per JPEG, so a reader that stops fills its socket buffers fast.
    return np.random.randint(0, 256, (480, 640, 3), np.uint8)


@pytest.fixture
def servers():
    """``servers(**options)`` starts an MjpegServer on a free port; all are stopped after."""
    started = []

    def start(**options):
        started.append(MjpegServer(port=0, **options).start())
        return started[-1]

    yield start
    for server in started:
        server.stop()


def test_connections_beyond_the_cap_get_503_with_retry_after(servers):
    server = servers(max_clients=3, header_timeout=600)
    idle = [_connect(server) for _ in range(3)]
    assert _until(lambda: server.counters["accepted"] == 3)
    for _ in range(5):   # idle ones beyond the cap: answered and closed without a request
        answer = _read_to_close(_connect(server))
        assert answer.startswith(b"HTTP/1.0 503 ") and b"\r\nRetry-After: 5\r\n" in answer
    with pytest.raises(urllib.error.HTTPError) as info:   # a real client reads the 503
        urllib.request.urlopen(server.url + "stats", timeout=PATIENCE)
    assert info.value.code == 503 and info.value.headers["Retry-After"] == "5"
    assert server.counters["refused"] == 6
    for sock in idle:
        sock.close()
    # The slots come back once the idle clients leave.
    assert _until(lambda: _reachable(server.url + "stats"))


def _reachable(url):
    try:
        urllib.request.urlopen(url, timeout=PATIENCE).close()
        return True
    except urllib.error.HTTPError:
        return False


def test_idle_and_trickling_connections_are_closed_after_the_header_timeout(servers):
    server = servers(header_timeout=0.5, max_clients=16)
    idle = [_connect(server) for _ in range(5)]
    trickler = _connect(server, b"GET / HTTP/1.1\r\n")
    # A slowloris client sending a header byte at a time still meets the deadline.
    closed = False
    for _ in range(int(PATIENCE / 0.05)):
        try:
            trickler.send(b"X")
        except OSError:
            closed = True
            break
        time.sleep(0.05)
    assert closed, "a client trickling its headers was never closed"
    for sock in idle:
        assert _read_to_close(sock) == b""   # closed by the server, nothing sent
    assert server.counters["header_timeouts"] == 6
    assert json.loads(urllib.request.urlopen(server.url + "stats", timeout=PATIENCE).read())


def test_threads_stay_bounded_under_many_idle_connections(servers):
    server = servers(max_clients=8, header_timeout=600)
    before = _thread_count()
    idle = [_connect(server) for _ in range(120)]
    assert _until(lambda: server.counters["accepted"] + server.counters["refused"] == 120)
    during = _thread_count()
    assert server.counters["accepted"] == 8 and server.counters["refused"] == 112
    # <= 1: room for an unrelated thread of an earlier test starting or ending meanwhile.
    assert during - before <= 1, "threads grew from {} to {} with idle clients".format(before,
                                                                                       during)
    for sock in idle:
        sock.close()


def test_a_stuck_reader_is_dropped_while_a_good_viewer_keeps_receiving(servers):
    server = servers(send_timeout=1.0)
    publisher = _Publisher(server, _noise, 0.05)
    good = _Viewer(server)
    stuck = _connect(server, b"GET /stream HTTP/1.1\r\nHost: t\r\n\r\n", rcvbuf=4096)
    try:
        assert _until(lambda: server.stats()["clients"] == 2)
        assert _until(lambda: server.counters["send_timeouts"] == 1), "the stuck reader stayed"
        assert _until(lambda: server.stats()["clients"] == 1)   # the I/O thread has dropped it
        received = len(good.means)
        assert _until(lambda: len(good.means) >= received + 10), "the good viewer stalled"
        assert good.error is None and good.thread.is_alive()
        _read_to_close(stuck)   # what its buffers held, then the server's close
    finally:
        publisher.close()
        good.close()


def test_publish_never_waits_and_viewers_get_the_newest_frame(servers):
    server = servers(send_timeout=600)   # the stuck reader stays connected throughout
    stuck = _connect(server, b"GET /stream HTTP/1.1\r\nHost: t\r\n\r\n", rcvbuf=4096)
    good = _Viewer(server)
    assert _until(lambda: server.stats()["clients"] == 2)
    publisher = _Publisher(server, _noise, 0.0)   # as fast as it can encode
    assert _until(lambda: publisher.published >= 60)   # far more than the stuck socket holds
    publisher.close()
    server.publish(np.full((480, 640, 3), 200, np.uint8))   # the last frame, recognisable
    assert _until(lambda: good.means and abs(good.means[-1] - 200) < 2)
    assert server.stats()["clients"] == 2 and server.counters["send_timeouts"] == 0
    stuck.close()
    good.close()


def test_stats_fps_is_frames_over_the_window_even_for_uneven_intervals(servers):
    now = [100.0]
    server = servers(fps_window=2.0, clock=lambda: now[0])
    frame = np.zeros((8, 8, 3), np.uint8)
    for i in range(60):   # 10 fps on average, in uneven steps of 10 ms and 190 ms
        server.publish(frame)
        now[0] += 0.01 if i % 2 == 0 else 0.19
    now[0] -= 0.19   # read right after the last frame

    def stats():
        return json.loads(urllib.request.urlopen(server.url + "stats", timeout=PATIENCE).read())

    first = stats()
    # An average of instantaneous rates (the old EWMA) says ~52 here; 10 frames a second it is.
    assert first["frames"] == 60 and abs(first["fps"] - 10.0) < 0.6
    now[0] += 5.0   # publishing stopped: the window empties
    assert stats() == {"frames": 60, "fps": 0.0, "clients": 0}


def test_stats_fps_matches_what_a_viewer_that_keeps_up_receives(servers):
    server = servers(fps_window=2.0)
    viewer = _Viewer(server)
    assert _until(lambda: server.stats()["clients"] == 1)
    publisher = _Publisher(server, lambda i: np.full((48, 64, 3), i % 250, np.uint8), 0.04)
    try:
        assert _until(lambda: len(viewer.times) >= 80)
        reported = server.stats()["fps"]
        at = time.monotonic()
    finally:
        publisher.close()
    recent = [t for t in viewer.times if t > at - 2.0]
    received = (len(recent) - 1) / (at - recent[0])   # the same window, as the viewer saw it
    assert reported == pytest.approx(received, rel=0.25)
    viewer.close()


def test_bad_requests_get_one_answer_each_and_head_gets_no_body(servers):
    server = servers()
    answers = [_read_to_close(_connect(server, request)) for request in (
        b"POST /stats HTTP/1.1\r\n\r\n", b"nonsense\r\n\r\n", b"GET /nope HTTP/1.0\r\n\r\n",
        b"GET / HTTP/1.1\r\nX: " + b"a" * 9000, b"HEAD /stream HTTP/1.1\r\n\r\n")]
    assert [a.split(b" ", 2)[1] for a in answers] == [b"405", b"400", b"404", b"431", b"200"]
    assert answers[-1].endswith(b"\r\n\r\n") and b"multipart/x-mixed-replace" in answers[-1]
    assert server.stats()["clients"] == 0


@pytest.mark.parametrize("option", ["max_clients", "header_timeout", "send_timeout",
                                    "fps_window"])
def test_limits_must_be_positive(option):
    with pytest.raises(SinkError, match="{} must be > 0".format(option)):
        MjpegServer(port=0, **{option: 0})

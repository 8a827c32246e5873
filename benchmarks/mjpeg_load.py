"""The MJPEG server under 300 idle connections and stuck readers: threads, drops, publisher FPS.

Rounds without and with the load alternate (ABBA order), side by side in one run. In both a
viewer (in the load process) reads ``/stream`` as fast as it can, so every frame is JPEG-encoded
either way; the load adds ``--idle`` connections that send nothing (each reopened
``--reconnect-delay`` s after the server closes it, as an attacker would) and ``--stuck`` readers
that send a request and then never read. The load runs in its own process, so only the server's
work competes with the publisher. First a publisher loop at ``--rate`` fps; with ``--model``,
``run_pipeline`` on ``--input`` serving ``http://127.0.0.1:PORT``. Reports the publisher's (or
pipeline's) achieved FPS per round and their ratio, this process's CPU per frame and thread
count before/during/after, and how long after connecting each stuck reader was dropped (the
server's send timeout is 5 s).

    python benchmarks/mjpeg_load.py --input clip.mp4 [--rate 30] [--seconds 15] [--rounds 3] \
        [--idle 300] [--stuck 10] [--model MODEL.onnx --frames 400]
"""

import argparse
import heapq
import logging
import multiprocessing
import os
import select
import selectors
import socket
import statistics
import sys
import threading
import time

__all__ = ["measure_publisher", "measure_pipeline", "main"]

logger = logging.getLogger(__name__)

_GET_STREAM = b"GET /stream HTTP/1.1\r\nHost: bench\r\n\r\n"
_MARK = b"--linknetedgeframe\r\n"


def _threads():
    return len(os.listdir("/proc/self/task"))


def _cpu_s():
    times = os.times()
    return times[0] + times[1]


def _connect(port, request=None, rcvbuf=None):
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    if request:
        sock.sendall(request)
    sock.setblocking(False)
    return sock


def _load_clients(port, idle, stuck, reconnect_delay, stop, results):
    """The clients, in their own process until ``stop`` is set; puts a dict on ``results``.

    Niced: on a machine with few cores the load generator's own CPU would otherwise be counted
    against the server (an attacker's CPU is on another machine); ``load_cpu_s`` reports it."""
    os.nice(10)
    while not stop.is_set():   # wait for the server (the pipeline opens it a little later)
        try:
            _connect(port).close()
            break
        except OSError:
            time.sleep(0.05)
    selector, start = selectors.DefaultSelector(), time.monotonic()
    selector.register(_connect(port, _GET_STREAM), selectors.EVENT_READ, "viewer")
    stuck_at, poller = {}, select.poll()
    for _ in range(stuck):
        sock = _connect(port, _GET_STREAM, rcvbuf=4096)
        stuck_at[sock.fileno()] = (sock, time.monotonic())
        poller.register(sock, select.POLLRDHUP | select.POLLERR | select.POLLHUP)
    counts = dict.fromkeys(("viewer_frames", "connects", "refused", "closed_silent"), 0)
    tail, reopen, dropped, first_frame = b"", [0.0] * idle, [], None
    while not stop.is_set():
        now = time.monotonic()
        while reopen and reopen[0] <= now:
            heapq.heappop(reopen)
            try:
                selector.register(_connect(port), selectors.EVENT_READ, "idle")
                counts["connects"] += 1
            except OSError:
                heapq.heappush(reopen, now + 1.0)
        for key, _ in selector.select(0.05):
            try:
                data = key.fileobj.recv(1 << 20)
            except OSError:
                data = b""
            if key.data == "viewer" and not data:   # the server went away
                selector.unregister(key.fileobj)
                continue
            if key.data == "viewer":
                chunk = tail + data
                counts["viewer_frames"] += chunk.count(_MARK)
                first_frame = first_frame or (now if _MARK in chunk else None)
                tail = chunk[-len(_MARK):]
                continue
            counts["refused" if data.startswith(b"HTTP/1.0 503") else "closed_silent"] += 1
            selector.unregister(key.fileobj)
            key.fileobj.close()
            if reconnect_delay is not None:
                heapq.heappush(reopen, now + reconnect_delay)
        for fileno, _ in poller.poll(0):   # reset or shut by the server, unread data or not
            poller.unregister(fileno)
            sock, since = stuck_at.pop(fileno)
            dropped.append(time.monotonic() - since)
            sock.close()
    counts.update(dropped_after_s=dropped, still_stuck=len(stuck_at),
                  viewer_fps=counts["viewer_frames"] / (time.monotonic() - (first_frame or start)),
                  seconds=time.monotonic() - start, load_cpu_s=_cpu_s())
    results.put(counts)


def _order(round_index):
    """Which kind of round comes first alternates, so a drift in the machine's load favours
    neither."""
    return (False, True) if round_index % 2 == 0 else (True, False)


class _Load(object):
    """The load process and a sampler of this process's thread count while it runs."""

    def __init__(self, port, idle, stuck, reconnect_delay):
        context = multiprocessing.get_context("spawn")
        self._stop, self._results = context.Event(), context.Queue()
        self.process = context.Process(target=_load_clients, args=(
            port, idle, stuck, reconnect_delay, self._stop, self._results))
        self.process.start()
        self._cpu = _cpu_s()
        self.threads_max, self._sampling = _threads(), threading.Event()
        self._sampler = threading.Thread(target=self._sample)
        self._sampler.daemon = True
        self._sampler.start()

    def _sample(self):
        while not self._sampling.wait(0.1):
            self.threads_max = max(self.threads_max, _threads())

    def finish(self):
        self._stop.set()
        result = self._results.get(timeout=60)
        self.process.join(30)
        self._sampling.set()
        self._sampler.join()
        result["threads_max"] = self.threads_max - 1   # less the sampler itself
        result["cpu_s"] = _cpu_s() - self._cpu   # this process, every thread
        return result


def measure_publisher(frame, rate=30.0, seconds=15.0, rounds=3, idle=300, stuck=10,
                      reconnect_delay=1.0, server_options=None):
    """Rows ``{"load", "fps", "publish_ms_mean", "publish_ms_max", threads, client counts}``
    of a publisher loop at ``rate`` fps feeding ``frame`` (HWC uint8 BGR) to an MjpegServer
    (its defaults unless ``server_options`` says otherwise)."""
    from linknet_edge.runtime.video.mjpeg import MjpegServer
    rows, threads_before = [], _threads()
    server = MjpegServer(port=0, **(server_options or {})).start()
    try:
        for round_index in range(rounds):
            for loaded in _order(round_index):
                load = _Load(server.port, idle if loaded else 0, stuck if loaded else 0,
                             reconnect_delay)
                while server.stats()["clients"] < 1:   # the viewer, so frames are encoded
                    time.sleep(0.05)
                durations, start = [], time.monotonic()
                while time.monotonic() - start < seconds:
                    begun = time.monotonic()
                    server.publish(frame)
                    durations.append(time.monotonic() - begun)
                    time.sleep(max(0.0, start + len(durations) / rate - time.monotonic()))
                row = load.finish()
                row.update(load=loaded, round=round_index + 1, frames=len(durations),
                           fps=len(durations) / (time.monotonic() - start),
                           publish_ms_mean=1e3 * statistics.mean(durations),
                           publish_ms_max=1e3 * max(durations), counters=server.counters)
                time.sleep(1.5)   # lingering refusals close
                row["threads_after"] = _threads()
                rows.append(row)
                logger.info("round %d %s: %.2f FPS", round_index + 1,
                            "loaded" if loaded else "unloaded", row["fps"])
    finally:
        server.stop()
    for row in rows:
        row["threads_before"] = threads_before
    return rows


def measure_pipeline(model, clip, frames=400, rounds=3, idle=300, stuck=10, reconnect_delay=1.0):
    """Rows ``{"load", "fps", threads, client counts}`` of ``run_pipeline(model, clip,
    "http://127.0.0.1:PORT", limit=frames, loop=True)`` with and without the load."""
    from linknet_edge.runtime.pipeline import StreamOptions, run_pipeline
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    rows, threads_before = [], _threads()
    for round_index in range(rounds):
        for loaded in _order(round_index):
            load = _Load(port, idle if loaded else 0, stuck if loaded else 0, reconnect_delay)
            summary = run_pipeline(model, clip, "http://127.0.0.1:{}".format(port),
                                   stream=StreamOptions(limit=frames, log_every=None),
                                   source_options={"loop": True})
            row = load.finish()
            row.update(load=loaded, round=round_index + 1, fps=summary["fps"],
                       frames=summary["frames"],
                       threads_after=_threads(), threads_before=threads_before)
            rows.append(row)
            logger.info("round %d %s: %.2f FPS", round_index + 1,
                        "loaded" if loaded else "unloaded", row["fps"])
    return rows


def _report(title, rows, extra):
    print(title)
    print("{:>5} {:>6} {:>7} {:>9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>7} {:>6}  {}".format(
        "round", "load", "FPS", "viewerFPS", "cpu ms", "load s", "threads", "connects", "503",
        "silent", "stuck", "stuck dropped after (s)"))
    for row in rows:
        print("{:>5} {:>6} {:>7.2f} {:>9.2f} {:>7.2f} {:>7.1f} {:>8} {:>8} {:>8} {:>7} {:>6}  "
              "{}{}".format(
            row["round"], "loaded" if row["load"] else "none", row["fps"], row["viewer_fps"],
            1e3 * row["cpu_s"] / max(1, row["frames"]), row["load_cpu_s"],
            "{}/{}/{}".format(row["threads_before"], row["threads_max"], row["threads_after"]),
            row["connects"], row["refused"], row["closed_silent"], row["still_stuck"],
            " ".join("{:.1f}".format(s) for s in sorted(row["dropped_after_s"])),
            extra(row)))
    unloaded = statistics.median(r["fps"] for r in rows if not r["load"])
    loaded = statistics.median(r["fps"] for r in rows if r["load"])
    print("median FPS without load {:.2f}, with load {:.2f}: ratio {:.3f}".format(
        unloaded, loaded, loaded / unloaded))
    print("cpu ms: this process's CPU per frame, all threads; load s: the load process's CPU "
          "(niced);\nthreads: before/max during/after the round; stuck: readers not dropped by "
          "the end of the round\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", help="a video: its first frame is published (and --model's "
                                        "clip); default a 960x540 gradient")
    parser.add_argument("--rate", type=float, default=30.0, help="publisher loop fps [30]")
    parser.add_argument("--seconds", type=float, default=15.0, help="per publisher round [15]")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=int, default=300)
    parser.add_argument("--stuck", type=int, default=10)
    parser.add_argument("--reconnect-delay", type=float, default=1.0,
                        help="s before an idle connection the server closed is reopened [1]")
    parser.add_argument("--model", help="also run the pipeline with this model on --input")
    parser.add_argument("--frames", type=int, default=400, help="per pipeline round [400]")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    import numpy as np
    frame = np.tile(np.linspace(0, 255, 960, dtype=np.uint8)[None, :, None], (540, 1, 3))
    if args.input:
        import cv2
        capture = cv2.VideoCapture(args.input)
        ok, first = capture.read()
        capture.release()
        frame = first if ok else frame
    shape = "{}x{}".format(frame.shape[1], frame.shape[0])
    _report("publisher loop at {} fps, {} frames, {} s rounds; load: {} idle + {} stuck".format(
        args.rate, shape, args.seconds, args.idle, args.stuck),
        measure_publisher(frame, args.rate, args.seconds, args.rounds, args.idle, args.stuck,
                          args.reconnect_delay),
        lambda row: "  publish ms mean {:.2f} max {:.1f}".format(row["publish_ms_mean"],
                                                                  row["publish_ms_max"]))
    if args.model:
        _report("pipeline {} on {}, {} frames a round; load: {} idle + {} stuck".format(
            args.model, args.input, args.frames, args.idle, args.stuck),
            measure_pipeline(args.model, args.input, args.frames, args.rounds, args.idle,
                             args.stuck, args.reconnect_delay), lambda row: "")
    return 0


if __name__ == "__main__":
    sys.exit(main())

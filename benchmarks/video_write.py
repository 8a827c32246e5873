"""Host cost and bitrate of each video writer, measured side by side on real frames.

For each frame size, each writer (OpenCV mp4v, this machine's H.264 writer, MJPG .avi, and the
MJPEG HTTP stream's JPEG encoding) writes the same frames, rounds interleaved so machine load
hits them alike. Reported per writer: ``write_ms`` (wall time in ``write`` + ``close`` per frame,
what the pipeline's write stage waits), ``cpu_ms`` (CPU time per frame of this process plus its
encoder subprocess, what a Jetson's cores pay) and ``mbit_s`` at the clip's frame rate.

    python -m linknet_edge.benchmarks.video_write CLIP.mp4 [--frames 100] [--rounds 3] \
        [--size 1280x720 --size 960x540]
"""

import argparse
import logging
import os
import resource
import shutil
import sys
import tempfile
import time

__all__ = ["measure_writers", "format_writers", "main"]

WRITERS = ("mp4v", "h264", "mjpg-avi", "mjpeg-http")


def _read(clip, count, size):
    import cv2
    capture = cv2.VideoCapture(clip)
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    frames = []
    while len(frames) < count:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.resize(frame, (size[1], size[0]), interpolation=cv2.INTER_LINEAR))
    capture.release()
    return frames, fps


def _cpu_seconds():
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _write_once(writer, frames, fps, folder):
    """(seconds, cpu seconds, bytes) for one writer over ``frames``."""
    import cv2
    from linknet_edge.runtime.video.media import MediaFacts
    from linknet_edge.runtime.video.sinks import open_sink
    start, cpu = time.perf_counter(), _cpu_seconds()
    if writer == "mjpeg-http":   # what the MJPEG server encodes per frame (quality 80)
        size = sum(len(cv2.imencode(".jpg", f, [cv2.IMWRITE_JPEG_QUALITY, 80])[1])
                   for f in frames)
        return time.perf_counter() - start, _cpu_seconds() - cpu, size
    path = os.path.join(folder, "out" + (".avi" if writer == "mjpg-avi" else ".mp4"))
    # mp4v: the writer this machine falls back to without an H.264 encoder (facts say none)
    facts = MediaFacts() if writer == "mp4v" else None
    with open_sink(path, fps=fps, facts=facts) as sink:
        for index, frame in enumerate(frames):
            sink.write(index, frame, None)
        description = sink.description
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    if writer == "h264" and not description.startswith("H.264"):
        raise RuntimeError("no H.264 encoder here: " + description)
    return seconds, cpu, os.path.getsize(path)


def measure_writers(clip, frames=100, rounds=3, sizes=((720, 1280), (540, 960))):
    """``[{"size", "writer", "write_ms", "cpu_ms", "mbit_s", "frames"}, ...]``: medians over
    ``rounds`` interleaved rounds."""
    import numpy as np
    rows = []
    folder = tempfile.mkdtemp(prefix="video-write-")
    try:
        for size in sizes:
            images, fps = _read(clip, frames, size)
            results = {writer: [] for writer in WRITERS}
            for _ in range(rounds):
                for writer in WRITERS:
                    results[writer].append(_write_once(writer, images, fps, folder))
            for writer in WRITERS:
                seconds, cpu, size_bytes = (np.median([r[i] for r in results[writer]])
                                            for i in range(3))
                rows.append({"size": "{}x{}".format(size[1], size[0]), "writer": writer,
                             "frames": len(images), "write_ms": 1000.0 * seconds / len(images),
                             "cpu_ms": 1000.0 * cpu / len(images),
                             "mbit_s": size_bytes * 8.0 * fps / len(images) / 1e6})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def format_writers(rows):
    lines = ["{:<10} {:<11} {:>9} {:>9} {:>8} {:>10}".format(
        "size", "writer", "write ms", "CPU ms", "Mbit/s", "vs mp4v")]
    base = {r["size"]: r for r in rows if r["writer"] == "mp4v"}
    for row in rows:
        lines.append("{:<10} {:<11} {:>9.2f} {:>9.2f} {:>8.2f} {:>9.2f}x".format(
            row["size"], row["writer"], row["write_ms"], row["cpu_ms"], row["mbit_s"],
            row["write_ms"] / base[row["size"]]["write_ms"]))
    return "\n".join(lines)


def _size(text):
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit()):
        raise argparse.ArgumentTypeError("expected WIDTHxHEIGHT, got {!r}".format(text))
    return int(height), int(width)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", help="a real video (e.g. the 960x540 dash-cam clip)")
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", type=_size, action="append", metavar="WxH",
                        help="frame size, repeatable [1280x720, 960x540]")
    args = parser.parse_args(argv)
    logging.getLogger("linknet_edge.runtime").setLevel(logging.ERROR)   # the mp4v warning
    rows = measure_writers(args.clip, args.frames, args.rounds,
                           tuple(args.size or ((720, 1280), (540, 960))))
    print(format_writers(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

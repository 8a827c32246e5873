"""Real media tools for the video tests: a loopback RTSP server, ffprobe, and the system's
OpenCV built with GStreamer (Debian's python3-opencv), which pip's OpenCV is not.

Each helper says whether it can run here, so the tests skip with a reason where it cannot.
"""

import contextlib
import functools
import json
import os
import shutil
import subprocess

from tests.markers import ROOT

SYSTEM_PYTHON = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))


def _system_python_ok(code):
    if not os.path.exists(SYSTEM_PYTHON):
        return False
    return subprocess.call([SYSTEM_PYTHON, "-c", code], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60) == 0


@functools.lru_cache(maxsize=None)
def has_rtsp_server():
    """gst-rtsp-server's Python bindings on the system Python, with the demuxer and payloader."""
    return _system_python_ok(
        "import gi; gi.require_version('GstRtspServer', '1.0'); gi.require_version('Gst', "
        "'1.0'); from gi.repository import Gst, GstRtspServer; Gst.init(None); "
        "assert all(Gst.ElementFactory.find(e) for e in ('qtdemux', 'h264parse', "
        "'rtph264pay'))")


@functools.lru_cache(maxsize=None)
def has_system_gstreamer_opencv():
    """The system Python's OpenCV has GStreamer (and numpy)."""
    return _system_python_ok(
        "import cv2, numpy; import sys; sys.exit(0 if any(l.strip().startswith('GStreamer:') "
        "and 'YES' in l for l in cv2.getBuildInformation().splitlines()) else 1)")


@contextlib.contextmanager
def rtsp_server(clip):
    """Serve the H.264 ``clip`` at ``rtsp://127.0.0.1:PORT/clip`` (yielded) on loopback."""
    process = subprocess.Popen([SYSTEM_PYTHON, os.path.join(HERE, "rtsp_server.py"), clip],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = process.stdout.readline().decode().split()
        if line[:1] != ["ready"]:
            raise RuntimeError("RTSP server did not start: " + process.stderr.read().decode())
        yield "rtsp://127.0.0.1:{}/clip".format(line[1])
    finally:
        process.kill()
        process.wait()


def ffprobe(path, *extra):
    """``ffprobe -show_streams -count_frames`` of the first video stream as a dict."""
    out = subprocess.check_output(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_streams",
         "-of", "json"] + list(extra) + [path], timeout=120)
    streams = json.loads(out.decode())["streams"]
    return streams[0] if streams else {}


def has_ffprobe():
    return shutil.which("ffprobe") is not None


def system_python_tree(tmp_path):
    """A PYTHONPATH on which the system Python imports this checkout as ``linknet_edge`` (the
    installed layout: runtime/ as ``linknet_edge.runtime``), made of symlinks in ``tmp_path``."""
    package = tmp_path / "site" / "linknet_edge"
    package.mkdir(parents=True)
    for name in os.listdir(os.path.join(ROOT, "linknet_edge")):
        if name != "__pycache__":
            os.symlink(os.path.join(ROOT, "linknet_edge", name), str(package / name))
    os.symlink(os.path.join(ROOT, "runtime"), str(package / "runtime"))
    return str(tmp_path / "site")


def run_system_python(tmp_path, code, timeout=180):
    """Run ``code`` with the system Python (GStreamer OpenCV) on this checkout; returns its
    stdout parsed as JSON (the script prints one JSON line last)."""
    env = dict(os.environ, PYTHONPATH=system_python_tree(tmp_path))
    for attempt in range(3):
        process = subprocess.Popen([SYSTEM_PYTHON, "-c", code], cwd=str(tmp_path), env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = process.communicate(timeout=timeout)
        # Disposing of a pipeline that refused to open races inside GStreamer on a loaded
        # machine and can abort the process (g_mutex_clear on a locked mutex): that is
        # OpenCV's/GStreamer's teardown, not the code under test, so such a death is retried.
        if process.returncode < 0 or (process.returncode and b"g_mutex_clear" in err):
            continue
        break
    if process.returncode != 0:
        raise AssertionError("system python failed (exit {}):\n{}".format(
            process.returncode, err.decode()[-3000:]))
    return json.loads(out.decode().strip().splitlines()[-1])

